#!/usr/bin/env bash
# Measures against fresh local dev servers and prints numbers; it fails only when a
# measurement cannot be taken, never on the numbers.
#
#   scripts/bench.sh [OPTIONS]       the airline against the raw platform baseline
#                                    (tests/baseline: plain JS, same D1 schema and seed),
#                                    one run, one table of ratios: search, booking,
#                                    contention, server CPU, start-up, bundle size (builds
#                                    the Worker first). Options: --searches N, --bookings N,
#                                    --burst N, --spread N, --runtime miniflare (both served
#                                    through Miniflare directly, without wrangler dev's
#                                    inspector; see tests/src/bin/bench_ratios.rs)
#   scripts/bench.sh api [--requests N]
#                                    the API's own costs, call by call: searchFlights,
#                                    identity, booking and loyalty; N sets the sample size
#   scripts/bench.sh web             the web app as built (web/dist and the Worker build;
#                                    builds neither): first-load transfer size of / against
#                                    the budget, and Lighthouse (mobile) scores of / and of a
#                                    results page. BENCH_RESULTS_PATH overrides that page
#                                    (default /flights?from=LHR&to=JFK&date=<seed + 7 days>&passengers=1).
#                                    Lighthouse reports: target/bench/lighthouse-*.json
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"

bench_web() {
  local missing=""
  [[ -f workers/airline-worker/build/index.js ]] || missing+=" the Worker (bash scripts/build.sh)"
  [[ -f web/dist/index.html ]] || missing+=" the web app (bash scripts/build-web.sh)"
  if [[ -n "$missing" ]]; then
    echo "bench web: measures what is built; build first:$missing" >&2
    exit 1
  fi
  # The e2e harness's server (tests/src/bin/serve_e2e.rs), as the browser tests get it.
  cargo build --quiet -p airline-e2e --bin serve-e2e

  # Its stdin is this script's pipe: if this script dies, the server stops too.
  coproc SERVER { exec "$root/target/debug/serve-e2e"; }
  server_pid=$SERVER_PID
  server_in=${SERVER[1]}
  trap stop_server EXIT
  trap 'exit 130' INT TERM
  local base_url="" seed_start="" key value
  while IFS=' ' read -r -t 180 key value <&"${SERVER[0]}"; do
    case "$key" in
      READY) base_url="$value" ;;
      SEED_START) seed_start="$value"; break ;;
    esac
  done
  if [[ -z "$base_url" || -z "$seed_start" ]]; then
    echo "bench web: the dev server did not start (see above)" >&2
    exit 1
  fi

  local results_path="${BENCH_RESULTS_PATH:-/flights?from=LHR&to=JFK&date=$(date -u -d "$seed_start + 7 days" +%F)&passengers=1}"
  printf '\n'
  node scripts/bench-web.mjs sizes "$base_url"

  local out="$root/target/bench" failed=0 label path status
  mkdir -p "$out"
  local -a reports=()
  for page in "home=/" "results=$results_path"; do
    label="${page%%=*}"
    path="${page#*=}"
    printf '\nlighthouse: %s%s\n' "$base_url" "$path"
    rm -f "$out/lighthouse-$label.json"
    # In the background with `wait`, so a signal to this script is handled at once (the
    # EXIT trap stops Lighthouse and the server), not after the run.
    CHROME_PATH=/usr/bin/chromium node_modules/.bin/lighthouse "$base_url$path" --quiet \
      --only-categories=performance,accessibility,best-practices --disable-full-page-screenshot \
      --chrome-flags="--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage" \
      --output=json --output-path="$out/lighthouse-$label.json" &
    lighthouse_pid=$!
    status=0
    wait "$lighthouse_pid" || status=$?
    lighthouse_pid=""
    if (( status == 0 )); then
      reports+=("$label=$out/lighthouse-$label.json")
    else
      echo "bench web: lighthouse failed on $path (exit $status)" >&2
      failed=1
    fi
  done
  printf '\n'
  if (( ${#reports[@]} > 0 )); then
    node scripts/bench-web.mjs scores "${reports[@]}"
  fi
  return "$failed"
}

# Stops a Lighthouse run in progress (on SIGINT it closes its Chromium), then closes the
# server's stdin, sends SIGTERM and waits for it to stop its process group.
stop_server() {
  if [[ -n "${lighthouse_pid:-}" ]]; then
    kill -INT "$lighthouse_pid" 2>/dev/null || true
    wait "$lighthouse_pid" 2>/dev/null || true
    lighthouse_pid=""
  fi
  [[ -n "${server_pid:-}" ]] || return 0
  [[ -n "${server_in:-}" ]] && eval "exec ${server_in}>&-" 2>/dev/null
  kill -TERM "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

if [[ "${1:-}" == "web" ]]; then
  shift
  bench_web "$@"
  exit
fi

bash scripts/build.sh
if [[ "${1:-}" == "api" ]]; then
  shift
  AIRLINE_SKIP_BUILD=1 cargo run --quiet --release -p airline-e2e --bin bench-search -- "$@"
  AIRLINE_SKIP_BUILD=1 cargo run --quiet --release -p airline-e2e --bin bench-auth -- "$@"
  AIRLINE_SKIP_BUILD=1 cargo run --quiet --release -p airline-e2e --bin bench-booking -- "$@"
  AIRLINE_SKIP_BUILD=1 cargo run --quiet --release -p airline-e2e --bin bench-loyalty -- "$@"
  exit
fi
AIRLINE_SKIP_BUILD=1 cargo run --quiet --release -p airline-e2e --bin bench-ratios -- "$@"
