#!/usr/bin/env bash
# Load-tests a fresh local server with the goose tool in tests/src/bin/load.rs (the
# traveller journey and anonymous searches), bounded in time, and prints its report:
# per-request p50/p95/p99, throughput and errors (also in target/load/report.md and .html).
#
#   scripts/load.sh [goose flags]      default: --users 20 --increase-rate 5 --run-time 30s
#                                      --no-reset-metrics (sign-ups count too)
#   scripts/load.sh --host URL [...]   against a running deployment (staging) instead
#
# The test command runs a 10-second smoke of the same tool (tests/tests/load_smoke.rs).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"

args=("$@")
if (( ${#args[@]} == 0 )); then
  args=(--users 20 --increase-rate 5 --run-time 30s --no-reset-metrics)
fi
out="$root/target/load"
mkdir -p "$out"
cargo build --quiet --release -p airline-e2e --bin airline-load --bin serve-e2e

host=""
for arg in "${args[@]}"; do
  [[ "$host" == "next" ]] && host="$arg"
  [[ "$arg" == "--host" ]] && host="next"
done
server_pid=""
stop_server() {
  [[ -n "$server_pid" ]] || return 0
  [[ -n "${server_in:-}" ]] && eval "exec ${server_in}>&-" 2>/dev/null
  kill -TERM "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}
if [[ -z "$host" ]]; then
  bash scripts/build.sh
  # The e2e harness's server: migrated, seeded, free port, stopped with this script.
  coproc SERVER { AIRLINE_SKIP_BUILD=1 exec "$root/target/release/serve-e2e"; }
  server_pid=$SERVER_PID
  server_in=${SERVER[1]}
  trap stop_server EXIT
  trap 'exit 130' INT TERM
  while IFS=' ' read -r -t 180 key value <&"${SERVER[0]}"; do
    if [[ "$key" == "READY" ]]; then host="$value"; break; fi
  done
  [[ -n "$host" ]] || { echo "load: the dev server did not start" >&2; exit 1; }
  args+=(--host "$host")
fi

"$root/target/release/airline-load" "${args[@]}" --quiet \
  --report-file "$out/report.md" --report-file "$out/report.html" --report-file "$out/report.json"
cat "$out/report.md"
