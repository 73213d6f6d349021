# Sourced by scripts/build.sh and scripts/build-web.sh: a build whose inputs are what they
# were when it last succeeded, and whose outputs are still there, is skipped.
#
# Why: `wrangler dev` runs the [build] command twice at every start (its source watcher's
# "ready" event runs it again; workers-sdk#7934, fixed after the wrangler pinned here), and
# after every change under watch_dir; the test command builds on every run. Unchanged, the
# Worker's build took about a minute (wasm-bindgen and wasm-opt run whatever cargo did);
# with this it takes well under a second. AIRLINE_FORCE_BUILD=1 builds anyway.
#
# Expects $root (the repository).

stamps="$root/target/build-stamps"

# What each build reads, relative to the repository (tests/tests/watched_sources.rs checks
# that these cover every crate each build compiles, and all of wrangler.toml's watch_dir).
# The Worker: its workspace, every crate in it, the toolchain and the build script.
WORKER_INPUTS=(Cargo.toml Cargo.lock .cargo rust-toolchain.toml workers durable-objects
  scripts/build.sh scripts/build-stamp.sh scripts/setup.sh)
# The web app: its own workspace, the rule crates it shares with the Worker, the schema its
# operations are checked against, and what goes into the page (vars, headers, GraphiQL).
WEB_INPUTS=(web workers/airline-booking workers/airline-domain workers/airline-payments
  workers/airline-worker/src/security-headers.txt schema.graphql wrangler.toml package-lock.json
  rust-toolchain.toml .cargo
  scripts/build-web.sh scripts/build-stamp.sh scripts/bundle-graphiql.sh
  scripts/split-manifest.mjs scripts/wasm-opt-all.mjs scripts/setup.sh)

# inputs_hash PATH...: one hash of every file under the PATHs (names and contents), build
# outputs and dependencies left out, plus the environment variables the builds read.
inputs_hash() {
  (
    cd "$root"
    find "$@" \( -name target -o -name build -o -name dist -o -name dist.next \
      -o -name node_modules -o -name .wrangler \) -prune -o -type f -print0 \
      | LC_ALL=C sort -z | xargs -0 sha256sum
    printf 'PAYMENT_PROVIDER=%s STRIPE_PUBLISHABLE_KEY=%s RUSTFLAGS=%s\n' \
      "${PAYMENT_PROVIDER:-}" "${STRIPE_PUBLISHABLE_KEY:-}" "${RUSTFLAGS:-}"
  ) | sha256sum | cut -c1-64
}

# up_to_date NAME HASH OUTPUT...: NAME last built from exactly HASH, and its outputs exist.
up_to_date() {
  local name="$1" hash="$2"
  shift 2
  [[ "${AIRLINE_FORCE_BUILD:-}" != "1" && -f "$stamps/$name" ]] || return 1
  [[ "$(cat "$stamps/$name")" == "$hash" ]] || return 1
  local output
  for output in "$@"; do
    [[ -e "$output" ]] || return 1
  done
}

# built NAME HASH: NAME was just built from HASH.
built() {
  mkdir -p "$stamps"
  printf '%s\n' "$2" > "$stamps/$1"
}
