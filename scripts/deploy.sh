#!/usr/bin/env bash
# Deploys the Worker to one of wrangler.toml's environments, with a canary: installs what is
# missing (scripts/setup.sh), then `cargo xtask deploy` (xtask/src/deploy.rs, which says
# what a deploy checks and does).
#
#   scripts/deploy.sh staging|production             deploy
#   scripts/deploy.sh staging|production --dry-run   build, bundle, check, print the plan
#   scripts/deploy.sh staging --preview pr-42        upload a preview version, print its URL
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
exec cargo xtask deploy "$@"
