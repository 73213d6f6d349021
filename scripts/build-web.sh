#!/usr/bin/env bash
# Builds the traveller web app (web/) into web/dist, which the Worker serves as static
# assets: cargo (wasm32, size-optimised) -> wasm-bindgen CLI (--target web) -> wasm-opt -Oz
# -> content-hashed files, an index.html that preloads them, the stylesheet, the bundled
# GraphiQL, and a `_headers` file (security headers everywhere, hashed assets cached for a
# year, HTML revalidated). No trunk: the pinned tools scripts/setup.sh installs are enough.
#
# Run by scripts/build.sh after the Worker (so `wrangler dev` rebuilds both on a change).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
web="$root/web"
dist="$web/dist"
export PATH="$HOME/.cargo/bin:$PATH"

wasm_opt="$root/node_modules/.bin/wasm-opt"
stage="$web/target/stage"
rm -rf "$stage" && mkdir -p "$stage"

(cd "$web" && cargo build --quiet --target wasm32-unknown-unknown --release -p airline-web)
wasm-bindgen --target web --no-typescript --out-dir "$stage" --out-name app \
  "$web/target/wasm32-unknown-unknown/release/airline-web.wasm"
"$wasm_opt" -Oz "$stage/app_bg.wasm" -o "$stage/app.wasm"

hash() { sha256sum "$1" | cut -c1-16; }

next="$dist.next"
rm -rf "$next" && mkdir -p "$next/assets"

wasm_name="app-$(hash "$stage/app.wasm").wasm"
cp "$stage/app.wasm" "$next/assets/$wasm_name"
js_name="app-$(hash "$stage/app.js").js"
cp "$stage/app.js" "$next/assets/$js_name"
cat "$web"/styles/*.css > "$stage/app.css"
css_name="app-$(hash "$stage/app.css").css"
cp "$stage/app.css" "$next/assets/$css_name"
sed -e "s|@APP_JS@|/assets/$js_name|g" -e "s|@APP_WASM@|/assets/$wasm_name|g" \
  "$web/boot.js" > "$stage/boot.js"
boot_name="boot-$(hash "$stage/boot.js").js"
cp "$stage/boot.js" "$next/assets/$boot_name"
cp "$web/icon.svg" "$next/assets/icon.svg"

sed -e "s|@APP_JS@|/assets/$js_name|g" -e "s|@APP_WASM@|/assets/$wasm_name|g" \
  -e "s|@APP_CSS@|/assets/$css_name|g" -e "s|@BOOT_JS@|/assets/$boot_name|g" \
  "$web/index.html" > "$next/index.html"

bash "$root/scripts/bundle-graphiql.sh" "$next"

# Security headers on every response the assets serve (the Worker sets the same ones on
# the HTML it renders itself); the app's script policy adds only what wasm needs.
{
  echo "/*"
  grep -v '^Content-Security-Policy' "$root/workers/airline-worker/src/security-headers.txt" | sed 's/^/  /'
  echo "  Content-Security-Policy: $(sed -n 's/^Content-Security-Policy-App: //p' "$root/workers/airline-worker/src/security-headers.txt")"
  echo "/assets/*"
  echo "  Cache-Control: public, max-age=31536000, immutable"
  echo "/graphiql/*"
  echo "  Cache-Control: public, max-age=3600"
} > "$next/_headers"

# Into place without a moment of no app: new hashed files first, then the HTML that names
# them, then the old files go (a running `wrangler dev` serves throughout).
mkdir -p "$dist"
cp -R "$next/assets" "$next/graphiql" "$dist/"
cp "$next/_headers" "$next/index.html" "$dist/"
(cd "$dist" && find . -type f | while read -r file; do [[ -e "$next/$file" ]] || rm -f "$file"; done)
rm -rf "$next"
printf 'build-web: %s (%s KiB), %s (%s KiB gzip)\n' \
  "$wasm_name" "$(( $(stat -c %s "$dist/assets/$wasm_name") / 1024 ))" \
  "$js_name" "$(( $(gzip -9c "$dist/assets/$js_name" | wc -c) / 1024 ))" >&2
