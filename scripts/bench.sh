#!/usr/bin/env bash
# Measures searchFlights latency against a fresh local dev server and prints the numbers.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh
bash scripts/build.sh
AIRLINE_SKIP_BUILD=1 cargo run --quiet --release -p airline-e2e --bin bench-search -- "$@"
