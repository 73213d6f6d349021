#!/usr/bin/env bash
# Builds the traveller web app (web/) into web/dist, which the Worker serves as static
# assets: cargo (wasm32, size-optimised) -> wasm-split (one module per group of lazy
# pages) -> wasm-bindgen CLI (--target web) -> binaryen -Oz -> a content-hashed folder of
# modules, an index.html that preloads the first page's, the stylesheet, the bundled
# GraphiQL, and a `_headers` file (security headers everywhere, hashed assets cached for a
# year, HTML revalidated). No trunk: the pinned tools scripts/setup.sh installs are enough.
#
# Run by scripts/build.sh after the Worker (so `wrangler dev` rebuilds both on a change).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
web="$root/web"
dist="$web/dist"
export PATH="$HOME/.cargo/bin:$PATH"

source "$root/scripts/build-stamp.sh"
web_inputs="$(inputs_hash "${WEB_INPUTS[@]}")"
if up_to_date web "$web_inputs" "$dist/index.html"; then
  echo "build-web: the web app is up to date (its sources have not changed since it was built)" >&2
  exit 0
fi

stage="$web/target/stage"
rm -rf "$stage" && mkdir -p "$stage/app"

# The app, split at its lazy routes (web/app/src/app.rs): the search page and the frame in
# the main module, every other page in its own, fetched when a traveller first goes there.
# wasm-split needs the linker's relocations (`--emit-relocs`, web/.cargo/config.toml); the
# main module it writes then goes through wasm-bindgen as usual, keeping the exports the
# page modules import from it.
(cd "$web" && cargo build --quiet --target wasm32-unknown-unknown --release -p airline-web)
wasm-split-cli --out-name app "$web/target/wasm32-unknown-unknown/release/airline-web.wasm" \
  "$stage/app"
wasm-bindgen --target web --no-typescript --keep-lld-exports --no-demangle \
  --out-dir "$stage/app" --out-name app "$stage/app/app.wasm"
mv "$stage/app/app_bg.wasm" "$stage/app/app.wasm"
# Every module, main and pages, -Oz on its own, in one process. (wasm-opt does not know the
# name subsection wasm-split keeps, and drops it: not news.)
node "$root/scripts/wasm-opt-all.mjs" "$stage/app" 2> >(grep -v 'unknown name subsection' >&2)

hash() { sha256sum "$1" | cut -c1-16; }

# Who takes the money decides the card form: the sandbox's own, or Stripe.js's card element,
# which needs Stripe's publishable key in the page and Stripe's origins in its CSP. From the
# environment, else from wrangler.toml's [vars] (the Worker's own setting, so a
# `wrangler deploy`, which runs this build, ships a page that matches its Worker).
toml_var() { sed -n "s/^$1 *= *\"\(.*\)\"/\1/p" "$root/wrangler.toml" | head -1; }
payment_provider="${PAYMENT_PROVIDER:-$(toml_var PAYMENT_PROVIDER)}"
stripe_key="${STRIPE_PUBLISHABLE_KEY:-$(toml_var STRIPE_PUBLISHABLE_KEY)}"
app_policy="$(sed -n 's/^Content-Security-Policy-App: //p' "$root/workers/airline-worker/src/security-headers.txt")"
payment_meta=""
case "${payment_provider:-sandbox}" in
  sandbox) ;;
  stripe)
    if [[ ! "$stripe_key" =~ ^pk_(test|live)_[A-Za-z0-9]+$ ]]; then
      echo "build-web: PAYMENT_PROVIDER=stripe needs STRIPE_PUBLISHABLE_KEY (pk_test_… or pk_live_…), in the environment or wrangler.toml [vars]" >&2
      exit 1
    fi
    payment_meta="<meta name=\"stripe-publishable-key\" content=\"$stripe_key\" />"
    # Stripe.js's script and iframes, and its API for turning the card into a PaymentMethod.
    app_policy="$(sed -e "s|script-src 'self'|script-src 'self' https://js.stripe.com|" \
      -e "s|connect-src 'self'|connect-src 'self' https://api.stripe.com|" \
      -e "s|; object-src|; frame-src https://js.stripe.com https://hooks.stripe.com; object-src|" <<<"$app_policy")"
    ;;
  *)
    echo "build-web: PAYMENT_PROVIDER is \"$payment_provider\"; expected sandbox or stripe" >&2
    exit 1
    ;;
esac

next="$dist.next"
rm -rf "$next" && mkdir -p "$next/assets"

# The modules load one another by relative names (app.js <-> __wasm_split.js -> page
# modules), so they share one directory named by the hash of all of them: a deploy changes
# the name, and every file in it can be cached forever.
app_hash="$(cd "$stage/app" && find . -type f | LC_ALL=C sort | xargs cat | sha256sum | cut -c1-16)"
app_dir="app-$app_hash"
cp -R "$stage/app" "$next/assets/$app_dir"
app_js="/assets/$app_dir/app.js"
app_wasm="/assets/$app_dir/app.wasm"
split_js="/assets/$app_dir/__wasm_split.js"

cat "$web"/styles/*.css > "$stage/app.css"
css_name="app-$(hash "$stage/app.css").css"
cp "$stage/app.css" "$next/assets/$css_name"
page_modules="$(node "$root/scripts/split-manifest.mjs" "$stage/app/__wasm_split.js")"
sed -e "s|@APP_JS@|$app_js|g" -e "s|@APP_WASM@|$app_wasm|g" -e "s|@APP_DIR@|/assets/$app_dir|g" \
  -e "s|@PAGE_MODULES@|$page_modules|g" "$web/shell/boot.js" > "$stage/boot.js"
boot_name="boot-$(hash "$stage/boot.js").js"
cp "$stage/boot.js" "$next/assets/$boot_name"
cp "$web/shell/icon.svg" "$next/assets/icon.svg"

sed -e "s|@APP_JS@|$app_js|g" -e "s|@APP_WASM@|$app_wasm|g" -e "s|@SPLIT_JS@|$split_js|g" \
  -e "s|@APP_CSS@|/assets/$css_name|g" -e "s|@BOOT_JS@|/assets/$boot_name|g" \
  -e "s|@BUILD@|$app_hash|g" -e "s|@PAYMENT_META@|$payment_meta|" -e '/^ *$/d' \
  "$web/shell/index.html" > "$next/index.html"

bash "$root/scripts/bundle-graphiql.sh" "$next"

# Security headers on every response the assets serve (the Worker sets the same ones on
# the HTML it renders itself); the app's script policy adds only what wasm needs.
{
  echo "/*"
  grep -v '^Content-Security-Policy' "$root/workers/airline-worker/src/security-headers.txt" | sed 's/^/  /'
  echo "  Content-Security-Policy: $app_policy"
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
find "$dist" -mindepth 1 -type d -empty -delete
rm -rf "$next"
gzip_kib() { echo $(( $(gzip -9c "$1" | wc -c) / 1024 )); }
printf 'build-web: %s: first load app.wasm %s KiB gzip, app.js %s KiB gzip; %s modules loaded on demand\n' \
  "$app_dir" "$(gzip_kib "$dist$app_wasm")" "$(gzip_kib "$dist$app_js")" \
  "$(find "$dist/assets/$app_dir" -name '*.wasm' ! -name app.wasm | wc -l)" >&2
built web "$web_inputs"
