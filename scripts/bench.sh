#!/usr/bin/env bash
# Measures searchFlights, identity, booking and loyalty costs against fresh local dev servers; prints numbers.
# Pass --requests N to change the sample size.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh
bash scripts/build.sh
AIRLINE_SKIP_BUILD=1 cargo run --quiet --release -p airline-e2e --bin bench-search -- "$@"
AIRLINE_SKIP_BUILD=1 cargo run --quiet --release -p airline-e2e --bin bench-auth -- "$@"
AIRLINE_SKIP_BUILD=1 cargo run --quiet --release -p airline-e2e --bin bench-booking -- "$@"
AIRLINE_SKIP_BUILD=1 cargo run --quiet --release -p airline-e2e --bin bench-loyalty -- "$@"
