#!/usr/bin/env bash
# Usage: scripts/bundle-graphiql.sh OUTDIR
#
# Puts GraphiQL, the React it runs on, and the page's own script and stylesheet into
# OUTDIR/graphiql/, from where the Worker serves them at /graphiql/* (its GraphiQL page,
# GET /graphql, loads them). From node_modules (the versions package-lock.json pins), never
# a CDN: the page then works offline and under a Content-Security-Policy that allows
# scripts and styles from this origin only. scripts/build-web.sh runs this into web/dist.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if [[ $# -ne 1 || -z "$1" ]]; then
  echo "usage: scripts/bundle-graphiql.sh OUTDIR" >&2
  exit 2
fi
out="$1/graphiql"

files=(
  node_modules/graphiql/graphiql.min.js
  node_modules/graphiql/graphiql.min.css
  node_modules/react/umd/react.production.min.js
  node_modules/react-dom/umd/react-dom.production.min.js
  workers/airline-worker/src/graphiql-init.js
  workers/airline-worker/src/graphiql-page.css
)
for file in "${files[@]}"; do
  if [[ ! -f "$root/$file" ]]; then
    echo "bundle-graphiql: $file is missing (run scripts/setup.sh, which installs node_modules)" >&2
    exit 1
  fi
done

mkdir -p "$out"
for file in "${files[@]}"; do
  cp "$root/$file" "$out/"
done
