#!/usr/bin/env bash
# Numbers from fresh local dev servers (xtask/src/measure/bench/): installs what is missing
# (scripts/setup.sh), then runs `cargo xtask bench`. Fails only when a measurement cannot be
# taken, never on the numbers.
#
#   scripts/bench.sh [OPTIONS]           the airline against the raw platform baseline, as
#                                        ratios (--searches N, --bookings N, --burst N,
#                                        --spread N, --runtime miniflare); builds first
#   scripts/bench.sh api [--requests N]  the API's costs call by call; builds first
#   scripts/bench.sh web                 the web app as built: first-load size, Lighthouse
#                                        (BENCH_RESULTS_PATH overrides the results page)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
exec cargo xtask bench "$@"
