#!/usr/bin/env bash
# Runs the whole app locally: installs what is missing, migrates and seeds a local D1, then
# serves the web app, the API and GraphiQL with `wrangler dev` at
# http://127.0.0.1:${PORT:-8787}. wrangler builds the Worker and the web app with
# `cargo xtask build` and rebuilds both when their sources change (reload the page).
# State persists in .wrangler/state between runs; delete that folder to start afresh.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh

export WRANGLER_SEND_METRICS=false
# Offline, miniflare would try (and fail, with a stack trace) to fetch the `Request.cf`
# object at every start.
export CLOUDFLARE_CF_FETCH_ENABLED=false
export PATH="$HOME/.cargo/bin:$PATH"
port="${PORT:-8787}"
state="$root/.wrangler/state"
wrangler="$root/node_modules/.bin/wrangler"

# Local secrets, made once and never committed: an Ed25519 signing key, and a service key
# for the loyalty REST API.
random() { node -e "process.stdout.write(require('crypto').randomBytes(32).toString('base64url'))"; }
if [[ ! -f .dev.vars ]]; then
  echo "dev: writing .dev.vars with a new local JWT signing key" >&2
  printf 'JWT_SIGNING_KEYS="local-1:%s"\n' "$(random)" > .dev.vars
  chmod 600 .dev.vars
fi
if ! grep -q '^LOYALTY_SERVICE_KEYS=' .dev.vars; then
  echo "dev: adding a local loyalty service key to .dev.vars" >&2
  printf 'LOYALTY_SERVICE_KEYS="local-service:%s"\n' "$(random)" >> .dev.vars
fi

echo "dev: applying migrations to the local D1" >&2
# CI=true: apply without an interactive confirmation.
CI=true "$wrangler" d1 migrations apply airline --local --persist-to "$state"

# The timetable starts today; reseeding is cheap and idempotent (existing flights are kept,
# so seats sold locally survive), so do it once per day.
today="$(date -u +%F)"
marker="$state/seeded-$today"
if [[ ! -f "$marker" ]]; then
  echo "dev: seeding 60 days of timetable from $today" >&2
  seed="$root/target/seed/seed-$today.sql"
  mkdir -p "$(dirname "$seed")"
  cargo xtask seed --start "$today" --out "$seed"
  "$wrangler" d1 execute airline --local --persist-to "$state" --file "$seed" > /dev/null
  rm -f "$state"/seeded-* && touch "$marker"
fi

echo "dev: starting wrangler dev: the app at http://127.0.0.1:$port (GraphiQL at /graphql)" >&2
# --test-scheduled: `curl http://127.0.0.1:$port/__scheduled` runs the reconciliation job.
exec "$wrangler" dev --ip 127.0.0.1 --port "$port" --persist-to "$state" --test-scheduled
