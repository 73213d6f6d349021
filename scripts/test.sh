#!/usr/bin/env bash
# Runs every test: formatting, lints, native unit tests of the library crates, the
# release build of the Worker, its deployable bundle (with its size), and the end-to-end
# suites against `wrangler dev` over HTTP. Installs what is missing first.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
started=$SECONDS
bash scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
export WRANGLER_SEND_METRICS=false
section() { printf '\n== %s (%ss)\n' "$*" "$((SECONDS - started))"; }

section "format"
cargo fmt --all -- --check

section "lint: library crates and tests (native)"
cargo clippy --workspace --exclude airline-worker --exclude flight-inventory --exclude booking-workflow --all-targets --quiet -- -D warnings
section "lint: worker crate (wasm32)"
cargo clippy -p airline-worker -p flight-inventory -p booking-workflow --target wasm32-unknown-unknown --quiet -- -D warnings

section "build: release Worker"
bash scripts/build.sh

section "bundle: wrangler deploy --dry-run"
# The build above is what gets bundled; AIRLINE_SKIP_BUILD stops wrangler rebuilding it.
AIRLINE_SKIP_BUILD=1 node_modules/.bin/wrangler deploy --dry-run --outdir target/bundle 2>&1 \
  | grep -E 'Total Upload|--dry-run' || { echo "bundle: wrangler deploy --dry-run failed" >&2; exit 1; }

section "tests: unit (native) and end-to-end (wrangler dev over HTTP)"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
AIRLINE_SKIP_BUILD=1 cargo test --workspace --exclude airline-worker --exclude flight-inventory --exclude booking-workflow 2>&1 | tee "$log"
# One closing line for the whole run, summed over every test binary.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "\nall checks passed in '"$((SECONDS - started))"'s\n%d passed, %d failed\n", p, f }' "$log"
