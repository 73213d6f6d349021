//! `wrangler dev` rebuilds only when something under wrangler.toml's `[build] watch_dir`
//! changes. The list is kept by hand (watching the folders whole would watch the build's own
//! output and rebuild forever), so this test derives what the build reads from the Cargo
//! workspaces and fails when a crate, or a folder of the web app's, is not watched.
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

/// The folders of the workspace's own crates that `package` is built from: its own and
/// those of every local crate it depends on, directly or not (registry crates do not
/// change under a developer's hands).
fn local_crates_of(manifest: &Path, package: &str) -> BTreeSet<PathBuf> {
    let output = Command::new(env!("CARGO"))
        // Both builds are wasm32: the crates they use for it (and no others, which may not
        // be downloaded).
        .args(["metadata", "--format-version", "1", "--offline"])
        .args([
            "--filter-platform",
            "wasm32-unknown-unknown",
            "--manifest-path",
        ])
        .arg(manifest)
        .output()
        .expect("cargo metadata runs");
    assert!(
        output.status.success(),
        "cargo metadata: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: Value = serde_json::from_slice(&output.stdout).unwrap();
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
    let root = root();
    let watched = watched();
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
            !watched
                .iter()
                .any(|w| folder == w || folder.starts_with(&format!("{w}/")))
        })
        .collect()
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
