#!/usr/bin/env bash
# Deploys the Worker to one of wrangler.toml's environments, with a canary:
#
#   scripts/deploy.sh staging|production             deploy
#   scripts/deploy.sh staging|production --dry-run   build and bundle for that environment,
#                                                    run the checks that need no account,
#                                                    and print what a deploy would do
#   scripts/deploy.sh staging --preview pr-42         upload a version under a preview alias
#                                                    (no traffic), print its URL
#
# A deploy: preflight checks (logged in, the D1 id is not the placeholder, every secret the
# Worker reads exists, every queue exists), `wrangler d1 migrations apply --remote`, then
# `wrangler versions upload`, CANARY_PERCENT (10) of the traffic to the new version, the
# smoke test against it (pinned to it with Cloudflare's version-override header), and then
# 100%. A failed smoke test sends all traffic back to the version before and exits 1.
# By hand, `npx wrangler rollback --env ENV` returns to the previous deployment.
#
# Needs CLOUDFLARE_API_TOKEN (and CLOUDFLARE_ACCOUNT_ID) or `wrangler login`, and the
# environment's public URL as PUBLIC_URL in its [env.ENV.vars] (or SMOKE_BASE_URL).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

usage() { echo "usage: scripts/deploy.sh staging|production [--dry-run | --preview ALIAS]" >&2; exit 2; }
fail() { echo "deploy: $*" >&2; exit 1; }

env_name="${1:-}"
[[ "$env_name" == "staging" || "$env_name" == "production" ]] || usage
shift
mode="deploy"
preview_alias=""
while (( $# > 0 )); do
  case "$1" in
    --dry-run) mode="dry-run" ;;
    --preview) mode="preview"; preview_alias="${2:-}"; [[ -n "$preview_alias" ]] || usage; shift ;;
    *) usage ;;
  esac
  shift
done
canary_percent="${CANARY_PERCENT:-10}"
[[ "$canary_percent" =~ ^[0-9]+$ ]] && (( canary_percent >= 1 && canary_percent <= 99 )) \
  || fail "CANARY_PERCENT must be a whole number from 1 to 99, not '$canary_percent'"

if [[ "${AIRLINE_SKIP_SETUP:-}" != "1" ]]; then
  bash scripts/setup.sh
fi
export PATH="$HOME/.cargo/bin:$PATH"
export WRANGLER_SEND_METRICS=false
wrangler() { node_modules/.bin/wrangler "$@"; }

# What wrangler.toml says about this environment, read with Python's TOML parser: one
# `key=value` per line (database_id, queues, the vars deploy needs).
describe_env() {
  python3 - "$env_name" <<'PY'
import sys, tomllib
env = sys.argv[1]
config = tomllib.load(open("wrangler.toml", "rb"))
section = config.get("env", {}).get(env)
if section is None:
    print(f"error=wrangler.toml has no [env.{env}]")
    sys.exit(0)
print("name=" + section.get("name", f"{config['name']}-{env}"))
for db in section.get("d1_databases", []):
    print(f"d1={db['binding']}:{db['database_name']}:{db['database_id']}")
queues = section.get("queues", {})
for queue in {q["queue"] for q in queues.get("producers", []) + queues.get("consumers", [])} | {
    q["dead_letter_queue"] for q in queues.get("consumers", []) if "dead_letter_queue" in q
}:
    print(f"queue={queue}")
for key, value in section.get("vars", {}).items():
    print(f"var:{key}={value}")
PY
}

mapfile -t facts < <(describe_env)
fact() {
  local key="$1" line
  for line in "${facts[@]}"; do
    if [[ "$line" == "$key="* ]]; then echo "${line#*=}"; fi
  done
}
error="$(fact error)"
[[ -z "$error" ]] || fail "$error"
worker_name="$(fact name)"
payment_provider="$(fact var:PAYMENT_PROVIDER)"
public_url="${SMOKE_BASE_URL:-$(fact var:PUBLIC_URL)}"

# The secrets the Worker reads (airline_platform::config::SECRETS, STRIPE_SECRETS; a test
# keeps this list and that one equal).
required_secrets=(JWT_SIGNING_KEYS LOYALTY_SERVICE_KEYS)
if [[ "$payment_provider" == "stripe" ]]; then
  required_secrets+=(STRIPE_SECRET_KEY)
fi

echo "== $env_name: build and bundle ($worker_name)"
if [[ "${AIRLINE_SKIP_BUILD:-}" != "1" ]]; then
  bash scripts/build.sh
fi
AIRLINE_SKIP_BUILD=1 wrangler deploy --dry-run --env "$env_name" --outdir "target/bundle-$env_name" 2>&1 \
  | grep -E 'Total Upload|--dry-run|binding|Error|✘' \
  || fail "wrangler could not bundle the $env_name environment (run: npx wrangler deploy --dry-run --env $env_name)"

if [[ "$mode" == "dry-run" ]]; then
  echo "== $env_name: a deploy would now"
  echo "   check: logged in; D1 ids not the placeholder: $(fact d1 | tr '\n' ' ')"
  echo "   check: secrets exist: ${required_secrets[*]}"
  echo "   check: queues exist: $(fact queue | tr '\n' ' ')"
  echo "   run:   wrangler d1 migrations apply DB --env $env_name --remote"
  echo "   run:   wrangler versions upload --env $env_name; ${canary_percent}% to it; smoke test ${public_url:-<PUBLIC_URL unset>}; then 100% (or roll back)"
  exit 0
fi

echo "== $env_name: preflight"
# `wrangler whoami` exits 0 either way; its words say whether anyone is logged in.
if [[ -z "${CLOUDFLARE_API_TOKEN:-}" ]] && ! wrangler whoami 2>&1 | grep -q "You are logged in"; then
  fail "not logged in: set CLOUDFLARE_API_TOKEN (and CLOUDFLARE_ACCOUNT_ID), or run 'npx wrangler login'"
fi
while IFS=: read -r binding db_name db_id; do
  [[ -n "$binding" ]] || continue
  if [[ "$db_id" == "00000000-0000-0000-0000-000000000000" ]]; then
    fail "[env.$env_name] D1 '$db_name' still has the placeholder id: run 'npx wrangler d1 create $db_name' and put its id in wrangler.toml"
  fi
done < <(fact d1)
secrets_json="$(wrangler secret list --env "$env_name" --format json 2>/dev/null || true)"
[[ -n "$secrets_json" ]] || fail "could not list the $env_name secrets (is the Worker '$worker_name' created? the token allowed to read it?)"
for secret in "${required_secrets[@]}"; do
  grep -q "\"$secret\"" <<<"$secrets_json" \
    || fail "secret $secret is missing in $env_name: npx wrangler secret put $secret --env $env_name"
done
queues_out="$(wrangler queues list 2>/dev/null || true)"
while read -r queue; do
  [[ -n "$queue" ]] || continue
  grep -qw -- "$queue" <<<"$queues_out" \
    || fail "queue $queue does not exist: npx wrangler queues create $queue"
done < <(fact queue)

if [[ "$mode" == "preview" ]]; then
  echo "== $env_name: preview version '$preview_alias'"
  out="$(AIRLINE_SKIP_BUILD=1 wrangler versions upload --env "$env_name" --preview-alias "$preview_alias" \
    --message "preview $preview_alias" 2>&1)" || { echo "$out" >&2; fail "the preview upload failed"; }
  echo "$out"
  url="$(grep -oE 'https://[^ ]+' <<<"$out" | grep -- "$preview_alias" | head -1 || true)"
  [[ -n "${GITHUB_OUTPUT:-}" ]] && echo "url=$url" >> "$GITHUB_OUTPUT"
  exit 0
fi

echo "== $env_name: migrations"
wrangler d1 migrations apply DB --env "$env_name" --remote

echo "== $env_name: canary"
# The version carrying most of the traffic now: what a failed canary goes back to.
previous="$(wrangler deployments status --env "$env_name" --json 2>/dev/null | python3 -c '
import json, sys
try:
    versions = json.load(sys.stdin).get("versions", [])
    print(max(versions, key=lambda v: v.get("percentage", 0))["version_id"])
except Exception:
    pass
' || true)"
out="$(AIRLINE_SKIP_BUILD=1 wrangler versions upload --env "$env_name" \
  --message "deploy $(git rev-parse --short HEAD 2>/dev/null || echo unknown)" 2>&1)" \
  || { echo "$out" >&2; fail "the version upload failed"; }
echo "$out"
version="$(grep -oiE 'version id: *[0-9a-f-]{36}' <<<"$out" | grep -oE '[0-9a-f-]{36}' | head -1)"
[[ -n "$version" ]] || fail "wrangler printed no version id"
if [[ -n "$previous" && "$previous" != "$version" ]]; then
  wrangler versions deploy --env "$env_name" --yes \
    "$version@${canary_percent}%" "$previous@$((100 - canary_percent))%"
else
  # The first deploy has nothing to split traffic with.
  wrangler versions deploy --env "$env_name" --yes "$version@100%"
fi

smoke_args=(--base-url "$public_url" --header "Cloudflare-Workers-Version-Overrides: $worker_name=\"$version\"")
# Production takes real money: its smoke test reads, signs nobody up and books nothing.
[[ "$env_name" == "production" ]] && smoke_args+=(--read-only)
if [[ -z "$public_url" ]]; then
  echo "deploy: no PUBLIC_URL in [env.$env_name.vars] and no SMOKE_BASE_URL: cannot smoke-test" >&2
  smoke_ok=0
elif cargo run --quiet --release -p airline-e2e --bin smoke -- "${smoke_args[@]}"; then
  smoke_ok=1
else
  smoke_ok=0
fi

if (( smoke_ok == 1 )); then
  wrangler versions deploy --env "$env_name" --yes "$version@100%"
  echo "deploy: $env_name now runs $version"
  [[ -n "${GITHUB_OUTPUT:-}" ]] && echo "url=$public_url" >> "$GITHUB_OUTPUT"
  exit 0
fi
if [[ -n "$previous" && "$previous" != "$version" ]]; then
  wrangler versions deploy --env "$env_name" --yes "$previous@100%"
  fail "the smoke test failed on $version: all traffic is back on $previous"
fi
fail "the smoke test failed on $version, and there is no earlier version to return to"
