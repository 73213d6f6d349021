#!/usr/bin/env bash
# Builds the Worker (Rust -> wasm -> JS shim) with worker-build, offline, and then the web
# app it serves (scripts/build-web.sh).
#
# worker-build would download wasm-bindgen, wasm-opt and esbuild from GitHub; the *_BIN
# overrides point it at the pinned tools scripts/setup.sh installed instead. wrangler.toml's
# [build] command runs this same script, so `wrangler dev` and `wrangler deploy` build
# exactly as the test command does.
#
# AIRLINE_SKIP_BUILD=1 reuses an existing build (the integration tests start many dev
# servers from one build).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
crate="$root/workers/airline-worker"

if [[ "${AIRLINE_SKIP_BUILD:-}" == "1" && -f "$crate/build/index.js" && -f "$root/web/dist/index.html" ]]; then
  exit 0
fi

export WASM_BINDGEN_BIN="${WASM_BINDGEN_BIN:-$(command -v wasm-bindgen || echo "$HOME/.cargo/bin/wasm-bindgen")}"
export WASM_OPT_BIN="${WASM_OPT_BIN:-$root/node_modules/.bin/wasm-opt}"
export ESBUILD_BIN="${ESBUILD_BIN:-$root/node_modules/.bin/esbuild}"
export PATH="$HOME/.cargo/bin:$PATH"

(cd "$crate" && worker-build --release)
bash "$root/scripts/build-web.sh"
