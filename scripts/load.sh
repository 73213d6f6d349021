#!/usr/bin/env bash
# The goose load test (tests/src/load.rs, run by xtask/src/measure/load.rs): installs what
# is missing (scripts/setup.sh), then runs `cargo xtask load`, which starts a fresh local
# server, runs the traveller journey and anonymous searches, bounded in time, and prints the
# report (also in target/load/report.{md,html,json}).
#
#   scripts/load.sh [goose flags]      default: --users 20 --increase-rate 5 --run-time 30s
#                                      --no-reset-metrics (sign-ups count too)
#   scripts/load.sh --host URL [...]   against a running deployment (staging) instead
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
exec cargo xtask load "$@"
