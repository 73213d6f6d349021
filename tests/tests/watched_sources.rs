//! `wrangler dev` rebuilds only when something under wrangler.toml's `[build] watch_dir`
//! changes. The list is kept by hand (watching the folders whole would watch the build's own
//! output and rebuild forever), so this test derives what the build reads from the Cargo
//! workspaces and fails when a crate, or a folder of the web app's, is not watched.
//!
//! The build then skips itself when its inputs hash as they did at its last success
//! (scripts/build-stamp.sh): a watched change those inputs missed would be a rebuild that
//! silently serves the old build, so the inputs must cover everything watched too.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// `[build] watch_dir`, as paths relative to the repository.
fn watched() -> Vec<String> {
    let config = std::fs::read_to_string(root().join("wrangler.toml")).unwrap();
    let line = config
        .lines()
        .find(|line| line.trim_start().starts_with("watch_dir"))
        .expect("wrangler.toml sets [build] watch_dir");
    let (_, list) = line.split_once('=').unwrap();
    list.trim()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .split(',')
        .map(|entry| {
            entry
                .trim()
                .trim_matches('"')
                .trim_end_matches('/')
                .to_owned()
        })
        .filter(|entry| !entry.is_empty())
        .collect()
}

/// What `command` prints, failing the test if it fails.
fn stdout_of(what: &str, command: &mut Command) -> Vec<u8> {
    let output = command.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        output.status.success(),
        "{what}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

/// The folders of the workspace's own crates that `package` is built from: its own and
/// those of every local crate it depends on, directly or not (registry crates do not
/// change under a developer's hands).
fn local_crates_of(manifest: &Path, package: &str) -> BTreeSet<PathBuf> {
    let output = stdout_of(
        "cargo metadata",
        Command::new(env!("CARGO"))
            // Both builds are wasm32: the crates they use for it (and no others, which may
            // not be downloaded).
            .args(["metadata", "--format-version", "1", "--offline"])
            .args([
                "--filter-platform",
                "wasm32-unknown-unknown",
                "--manifest-path",
            ])
            .arg(manifest),
    );
    let metadata: Value = serde_json::from_slice(&output).unwrap();
    let packages = metadata["packages"].as_array().unwrap();
    let local = |id: &str| {
        packages
            .iter()
            .find(|p| p["id"] == id && p["source"].is_null())
            .map(|p| {
                PathBuf::from(p["manifest_path"].as_str().unwrap())
                    .parent()
                    .unwrap()
                    .to_path_buf()
            })
    };
    let nodes = metadata["resolve"]["nodes"].as_array().unwrap();
    let start = packages
        .iter()
        .find(|p| p["name"] == package)
        .unwrap_or_else(|| panic!("{package} in {}", manifest.display()))["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut seen = BTreeSet::from([start.clone()]);
    let mut todo = vec![start];
    let mut folders = BTreeSet::new();
    while let Some(id) = todo.pop() {
        let Some(folder) = local(&id) else { continue };
        folders.insert(folder);
        let node = nodes.iter().find(|n| n["id"] == id.as_str()).unwrap();
        for dep in node["deps"].as_array().unwrap() {
            let kinds = dep["dep_kinds"].as_array().unwrap();
            // Dev-dependencies are not part of what the build makes.
            if kinds.iter().all(|k| k["kind"] == "dev") {
                continue;
            }
            let dep = dep["pkg"].as_str().unwrap().to_owned();
            if seen.insert(dep.clone()) {
                todo.push(dep);
            }
        }
    }
    folders
}

fn unwatched(folders: impl IntoIterator<Item = PathBuf>) -> Vec<String> {
    uncovered(folders, &watched())
}

/// The `folders` that are not inside any of `paths` (relative to the repository).
fn uncovered(folders: impl IntoIterator<Item = PathBuf>, paths: &[String]) -> Vec<String> {
    let root = root();
    folders
        .into_iter()
        .map(|folder| {
            folder
                .strip_prefix(&root)
                .unwrap_or(&folder)
                .to_string_lossy()
                .into_owned()
        })
        .filter(|folder| {
            !paths
                .iter()
                .any(|w| folder == w || folder.starts_with(&format!("{w}/")))
        })
        .collect()
}

/// One of scripts/build-stamp.sh's input lists (`WORKER_INPUTS`, `WEB_INPUTS`), as bash
/// reads it.
fn build_inputs(list: &str) -> Vec<String> {
    let output = stdout_of(
        "bash",
        Command::new("bash").current_dir(root()).args([
            "-c",
            &format!("root=. source scripts/build-stamp.sh && printf '%s\\n' \"${{{list}[@]}}\""),
        ]),
    );
    let inputs: Vec<String> = String::from_utf8(output)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    for input in &inputs {
        assert!(
            root().join(input).exists(),
            "{list} names {input}, which does not exist"
        );
    }
    inputs
}

#[test]
fn the_build_stamps_hash_everything_watched_and_compiled() {
    let worker = build_inputs("WORKER_INPUTS");
    let web = build_inputs("WEB_INPUTS");
    let watched: Vec<PathBuf> = watched().iter().map(|w| root().join(w)).collect();
    let everything: Vec<String> = worker.iter().chain(&web).cloned().collect();
    let missing = uncovered(watched, &everything);
    assert!(
        missing.is_empty(),
        "watched but hashed by neither build's stamp: {missing:?}"
    );
    let worker_crates = local_crates_of(&root().join("Cargo.toml"), "airline-worker");
    let missing = uncovered(worker_crates, &worker);
    assert!(missing.is_empty(), "WORKER_INPUTS misses {missing:?}");
    let web_crates = local_crates_of(&root().join("web/Cargo.toml"), "airline-web");
    let missing = uncovered(web_crates, &web);
    assert!(missing.is_empty(), "WEB_INPUTS misses {missing:?}");
}

#[test]
fn every_crate_the_worker_is_built_from_is_watched() {
    let crates = local_crates_of(&root().join("Cargo.toml"), "airline-worker");
    assert!(crates.len() >= 6, "the Worker and its crates: {crates:?}");
    let sources = crates.into_iter().map(|c| c.join("src"));
    let missing = unwatched(sources);
    assert!(
        missing.is_empty(),
        "wrangler.toml's [build] watch_dir misses {missing:?}: `wrangler dev` would not \
         rebuild after a change there"
    );
}

#[test]
fn everything_the_web_build_reads_is_watched() {
    let crates = local_crates_of(&root().join("web/Cargo.toml"), "airline-web");
    let mut read: Vec<PathBuf> = crates.into_iter().map(|c| c.join("src")).collect();
    // Besides Rust: the GraphQL operations, the styles, and the page shell (index.html,
    // the boot module, the icon), as scripts/build-web.sh reads them.
    for folder in ["web/graphql", "web/styles", "web/shell"] {
        assert!(root().join(folder).is_dir(), "{folder} exists");
        read.push(root().join(folder));
    }
    let missing = unwatched(read);
    assert!(
        missing.is_empty(),
        "wrangler.toml's [build] watch_dir misses {missing:?}: `wrangler dev` would not \
         rebuild the web app after a change there"
    );
}
