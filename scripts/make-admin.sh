#!/usr/bin/env bash
# Makes an existing account an admin: scripts/make-admin.sh EMAIL [--remote]
# Sign up in the app first; then run this against the local D1 that scripts/dev.sh uses
# (default) or, with --remote, the deployed database. Admins manage the timetable.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

email="$(printf '%s' "${1:-}" | tr '[:upper:]' '[:lower:]' | xargs)"
target=(--local --persist-to "$root/.wrangler/state")
[[ "${2:-}" == "--remote" ]] && target=(--remote)
# The same shape the API accepts, minus quote characters, so the email can sit in SQL.
if [[ ! "$email" =~ ^[a-z0-9.!#$%\&*+/=?^_\`{|}~-]+@[a-z0-9-]+(\.[a-z0-9-]+)+$ ]]; then
  echo "usage: scripts/make-admin.sh EMAIL [--remote]  (EMAIL as signed up)" >&2
  exit 2
fi
now="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
out="$(WRANGLER_SEND_METRICS=false node_modules/.bin/wrangler d1 execute airline "${target[@]}" --json \
  --command "UPDATE accounts SET role = 'admin', updated_at = '$now' WHERE email = '$email'; SELECT email, role FROM accounts WHERE email = '$email';")"
if grep -q '"role": "admin"' <<<"$out"; then
  echo "$email is now an admin (access tokens issued from now on carry the role; sign in again)."
else
  echo "no account has the email $email; sign up first" >&2
  exit 1
fi
