//! What each build reads, and whether it has changed since the build last succeeded.
//!
//! The crates a build compiles come from `cargo metadata` (every local package the
//! deployable depends on, however deep), so a new crate is an input the moment a
//! `Cargo.toml` names it; the few files a build reads beside its crates are listed by the
//! code that reads them. A build whose inputs hash as they did at its last success, and
//! whose outputs are still there, is skipped.
//!
//! Why: `wrangler dev` runs the `[build]` command twice at every start (its watcher's
//! "ready" event runs it again; workers-sdk#7934, fixed after the wrangler pinned here), and
//! after every change under `watch_dir`; the test command builds on every run. Unchanged,
//! the Worker's build took about a minute (wasm-bindgen and wasm-opt run whatever cargo
//! did); skipped, well under a second. `AIRLINE_FORCE_BUILD=1` builds anyway.

use std::collections::{BTreeSet, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};

use cargo_metadata::{DependencyKind, MetadataCommand, PackageId};
use sha2::{Digest, Sha256};

use crate::wrangler_config::WranglerConfig;
use crate::Failure;

/// Files every build reads: the toolchain, cargo's settings, and the automation itself.
pub const TOOLCHAIN: &[&str] = &[
    "rust-toolchain.toml",
    ".cargo",
    "xtask/src",
    "xtask/Cargo.toml",
];

/// Folder names never hashed: build outputs, installed packages, local state.
const OUTPUTS: &[&str] = &["target", "build", "dist", "node_modules", ".wrangler"];
/// Folders at a crate's root that its library and binaries do not compile.
const NOT_COMPILED: &[&str] = &["tests", "benches", "examples"];

/// Environment variables the builds read: a change rebuilds.
const BUILD_ENV: &[&str] = &["PAYMENT_PROVIDER", "STRIPE_PUBLISHABLE_KEY", "RUSTFLAGS"];

/// The folders of every package in `manifest`'s workspace that `package` is built from:
/// itself and its local dependencies (normal and build), relative to `root`.
pub fn crate_dirs(root: &Path, manifest: &str, package: &str) -> Result<Vec<PathBuf>, Failure> {
    let metadata = MetadataCommand::new()
        .manifest_path(root.join(manifest))
        .exec()
        .map_err(|e| Failure::new(format!("cargo metadata ({manifest}): {e}")))?;
    let resolve = metadata
        .resolve
        .as_ref()
        .ok_or_else(|| Failure::new("cargo metadata resolved no dependencies"))?;
    let start = metadata
        .packages
        .iter()
        .find(|p| p.name.as_str() == package)
        .ok_or_else(|| Failure::new(format!("no package {package} in {manifest}")))?;
    let nodes: HashMap<&PackageId, _> = resolve.nodes.iter().map(|n| (&n.id, n)).collect();

    let mut seen = BTreeSet::new();
    let mut next = vec![&start.id];
    while let Some(id) = next.pop() {
        if !seen.insert(id) {
            continue;
        }
        let Some(node) = nodes.get(id) else { continue };
        for dep in &node.deps {
            let compiled = dep
                .dep_kinds
                .iter()
                .any(|k| matches!(k.kind, DependencyKind::Normal | DependencyKind::Build));
            if compiled {
                next.push(&dep.pkg);
            }
        }
    }

    let mut dirs: Vec<PathBuf> = metadata
        .packages
        .iter()
        .filter(|p| p.source.is_none() && seen.contains(&p.id))
        .filter_map(|p| p.manifest_path.parent())
        .map(|dir| {
            dir.as_std_path()
                .strip_prefix(root)
                .unwrap_or(dir.as_std_path())
                .to_path_buf()
        })
        .collect();
    dirs.sort();
    Ok(dirs)
}

/// One hash of every file under `paths` (names and contents), outputs left out, plus the
/// environment variables the builds read.
pub fn hash(root: &Path, paths: &[PathBuf]) -> Result<String, Failure> {
    let mut files = BTreeSet::new();
    for path in paths {
        collect(&root.join(path), &mut files)?;
    }
    let mut hasher = Sha256::new();
    let mut buffer = Vec::new();
    for file in &files {
        buffer.clear();
        std::fs::File::open(file)
            .and_then(|mut f| f.read_to_end(&mut buffer))
            .map_err(|e| Failure::new(format!("{}: {e}", file.display())))?;
        let name = file.strip_prefix(root).unwrap_or(file);
        hasher.update(name.to_string_lossy().as_bytes());
        hasher.update([0]);
        hasher.update(Sha256::digest(&buffer));
    }
    for name in BUILD_ENV {
        let value = std::env::var(name).unwrap_or_default();
        hasher.update(format!("{name}={value}\0").as_bytes());
    }
    Ok(hex(&hasher.finalize()))
}

fn collect(path: &Path, files: &mut BTreeSet<PathBuf>) -> Result<(), Failure> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(meta) => meta,
        // A path that is not there has nothing to hash (an optional input).
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Failure::new(format!("{}: {e}", path.display()))),
    };
    if meta.is_file() {
        files.insert(path.to_path_buf());
        return Ok(());
    }
    if !meta.is_dir() {
        return Ok(());
    }
    let is_crate = path.join("Cargo.toml").is_file();
    let entries =
        std::fs::read_dir(path).map_err(|e| Failure::new(format!("{}: {e}", path.display())))?;
    for entry in entries {
        let entry = entry.map_err(|e| Failure::new(format!("{}: {e}", path.display())))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if OUTPUTS.contains(&name.as_ref()) || (is_crate && NOT_COMPILED.contains(&name.as_ref())) {
            continue;
        }
        collect(&entry.path(), files)?;
    }
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The record of what each build was last built from (`target/build-stamps/NAME`).
pub struct Stamp {
    path: PathBuf,
    pub inputs: String,
}

impl Stamp {
    pub fn new(root: &Path, name: &str, inputs: String) -> Self {
        Self {
            path: root.join("target/build-stamps").join(name),
            inputs,
        }
    }

    /// Built last from exactly these inputs, and every output still there.
    pub fn up_to_date(&self, outputs: &[PathBuf]) -> bool {
        std::env::var("AIRLINE_FORCE_BUILD").as_deref() != Ok("1")
            && std::fs::read_to_string(&self.path).is_ok_and(|last| last.trim() == self.inputs)
            && outputs.iter().all(|output| output.exists())
    }

    /// The build just succeeded from these inputs.
    pub fn record(&self) -> Result<(), Failure> {
        let write = || -> std::io::Result<()> {
            if let Some(dir) = self.path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            std::fs::write(&self.path, format!("{}\n", self.inputs))
        };
        write().map_err(|e| Failure::new(format!("{}: {e}", self.path.display())))
    }
}

/// The inputs that are not under any of wrangler.toml's `watch_dir` folders: a change
/// there would not rebuild a running `wrangler dev`.
pub fn unwatched<'a>(inputs: &'a [PathBuf], watch_dir: &[String]) -> Vec<&'a Path> {
    inputs
        .iter()
        .map(PathBuf::as_path)
        .filter(|input| {
            !watch_dir
                .iter()
                .any(|watched| input.starts_with(watched.trim_end_matches('/')))
        })
        .collect()
}

/// Fails when a crate the build compiles is outside every `watch_dir` folder: a change to
/// it would not rebuild a running `wrangler dev`.
pub fn watched(crates: &[PathBuf], config: &WranglerConfig) -> Result<(), Failure> {
    let missing = unwatched(crates, &config.build.watch_dir);
    if missing.is_empty() {
        return Ok(());
    }
    let missing: Vec<String> = missing.iter().map(|p| p.display().to_string()).collect();
    Err(Failure::new(format!(
        "wrangler.toml's [build] watch_dir ({}) does not cover {}: `wrangler dev` would not \
         rebuild when they change; add their folder to watch_dir",
        config.build.watch_dir.join(", "),
        missing.join(", ")
    )))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .unwrap()
            .to_path_buf()
    }

    #[test]
    fn the_worker_is_built_from_its_crates_and_the_objects_but_not_the_tests() {
        let dirs = crate_dirs(&root(), "Cargo.toml", "airline-worker").unwrap();
        let dirs: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
        for expected in [
            "workers/airline-worker",
            "workers/airline-domain",
            "workers/airline-graphql",
            "durable-objects/booking-workflow",
            "durable-objects/flight-inventory",
        ] {
            assert!(
                dirs.contains(&expected.to_owned()),
                "{expected} in {dirs:?}"
            );
        }
        assert!(
            !dirs.iter().any(|d| d == "tests" || d == "xtask"),
            "{dirs:?}"
        );
        assert!(
            !dirs.iter().any(|d| d.contains("testkit")),
            "a dev-dependency: {dirs:?}"
        );
    }

    #[test]
    fn the_web_app_is_built_from_its_workspace_and_the_rules_it_shares() {
        let dirs = crate_dirs(&root(), "web/Cargo.toml", "airline-web").unwrap();
        let dirs: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
        for expected in [
            "web/app",
            "web/core",
            "workers/airline-domain",
            "workers/airline-booking",
        ] {
            assert!(
                dirs.contains(&expected.to_owned()),
                "{expected} in {dirs:?}"
            );
        }
        assert!(
            !dirs.iter().any(|d| d == "workers/airline-worker"),
            "{dirs:?}"
        );
    }

    #[test]
    fn a_changed_file_or_setting_changes_the_hash_and_outputs_do_not() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("crate/src")).unwrap();
        std::fs::create_dir_all(root.join("crate/target")).unwrap();
        std::fs::create_dir_all(root.join("crate/tests")).unwrap();
        std::fs::write(root.join("crate/Cargo.toml"), "[package]").unwrap();
        std::fs::write(root.join("crate/src/lib.rs"), "fn a() {}").unwrap();
        let inputs = [PathBuf::from("crate"), PathBuf::from("missing.toml")];
        let first = hash(root, &inputs).unwrap();

        std::fs::write(root.join("crate/target/out"), "built").unwrap();
        std::fs::write(root.join("crate/tests/e2e.rs"), "#[test] fn t() {}").unwrap();
        assert_eq!(
            hash(root, &inputs).unwrap(),
            first,
            "outputs and tests are not inputs"
        );

        std::fs::write(root.join("crate/src/lib.rs"), "fn b() {}").unwrap();
        assert_ne!(hash(root, &inputs).unwrap(), first);
    }

    #[test]
    fn a_stamp_is_up_to_date_only_with_the_same_inputs_and_every_output() {
        let dir = tempfile::tempdir().unwrap();
        let output = dir.path().join("out.wasm");
        let stamp = Stamp::new(dir.path(), "worker", "abc".into());
        assert!(!stamp.up_to_date(&[]), "never built");
        stamp.record().unwrap();
        assert!(
            !stamp.up_to_date(std::slice::from_ref(&output)),
            "output gone"
        );
        std::fs::write(&output, "").unwrap();
        assert!(stamp.up_to_date(std::slice::from_ref(&output)));
        assert!(!Stamp::new(dir.path(), "worker", "abd".into()).up_to_date(&[output]));
    }

    #[test]
    fn inputs_outside_every_watched_folder_are_named() {
        let inputs = [
            PathBuf::from("workers/airline-domain"),
            PathBuf::from("crates/new"),
        ];
        let watched = ["workers".to_owned(), "web/".to_owned()];
        assert_eq!(unwatched(&inputs, &watched), [Path::new("crates/new")]);
    }
}
