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

source "$root/scripts/build-stamp.sh"

# The Worker: rust -> wasm -> JS shim, then the name section moved out of the upload.
build_worker() {
  export WASM_BINDGEN_BIN="${WASM_BINDGEN_BIN:-$(command -v wasm-bindgen || echo "$HOME/.cargo/bin/wasm-bindgen")}"
  export WASM_OPT_BIN="${WASM_OPT_BIN:-$root/node_modules/.bin/wasm-opt}"
  export ESBUILD_BIN="${ESBUILD_BIN:-$root/node_modules/.bin/esbuild}"
  export PATH="$HOME/.cargo/bin:$PATH"

  (cd "$crate" && worker-build --release)

  # worker-build keeps the wasm's function-name section (wasm-opt --debuginfo): ~140 KiB
  # of the gzipped upload that only stack traces read. Strip it and keep the names beside
  # the build instead (`index of a wasm function: its name`), for symbolicating a trace by
  # hand. The features are worker-build's own list, so nothing newer than workerd
  # supports appears.
  mkdir -p "$root/target/worker-symbols"
  "$WASM_OPT_BIN" "$crate/build/index_bg.wasm" \
    --enable-mutable-globals --enable-sign-ext --enable-nontrapping-float-to-int \
    --enable-bulk-memory --enable-multivalue --enable-reference-types --enable-exception-handling \
    --symbolmap="$root/target/worker-symbols/index_bg.symbols" --strip-debug \
    -o "$crate/build/index_bg.wasm"
}

worker_inputs="$(inputs_hash "${WORKER_INPUTS[@]}")"
if up_to_date worker "$worker_inputs" "$crate/build/index.js" "$crate/build/index_bg.wasm"; then
  echo "build: the Worker is up to date (its sources have not changed since it was built)" >&2
else
  build_worker
  built worker "$worker_inputs"
fi
bash "$root/scripts/build-web.sh"
