//! `cargo xtask build`: the Worker (Rust -> wasm -> JS shim, with worker-build) and the
//! web app it serves, built side by side. wrangler.toml's `[build]` command runs this, so `wrangler dev`,
//! `wrangler deploy` and the test command build exactly alike. Each half is skipped while
//! its inputs are unchanged (crate::inputs).
//!
//! worker-build would download wasm-bindgen, wasm-opt and esbuild from GitHub; the `*_BIN`
//! overrides point it at the pinned tools scripts/setup.sh installed instead.

use std::path::{Path, PathBuf};

use crate::inputs::{self, Stamp};
use crate::process::Cmd;
use crate::tools::Tools;
use crate::wrangler_config::WranglerConfig;
use crate::{web_build, Failure};

/// The deployable Worker's package; wrangler.toml's `main` is its build's entry point.
const WORKER_PACKAGE: &str = "airline-worker";

/// `AIRLINE_SKIP_BUILD=1` reuses an existing build (the end-to-end tests start many dev
/// servers from one build, and each would otherwise run this).
pub fn skip_requested() -> bool {
    std::env::var("AIRLINE_SKIP_BUILD").as_deref() == Ok("1")
}

/// The Worker and the web app, side by side.
pub fn build(root: &Path) -> Result<(), Failure> {
    let config = WranglerConfig::load(root)?;
    // What the Worker reads must be bound in every environment before anything is built
    // for one of them.
    let problems: Vec<String> = config
        .environments()
        .flat_map(|(name, env)| config.problems(name, env))
        .collect();
    if !problems.is_empty() {
        return Err(Failure::new(format!(
            "wrangler.toml lacks what the Worker reads:\n  {}",
            problems.join("\n  ")
        )));
    }
    let entry = root.join(&config.main);
    if skip_requested() && entry.exists() && web_build::built(root, &config) {
        return Ok(());
    }
    // The two halves are separate workspaces with separate target directories, and each
    // ends in a long single-threaded step (one codegen unit, LTO, wasm-opt): side by side,
    // one's end overlaps the other's work, which on two cores is most of a fresh build.
    std::thread::scope(|scope| {
        let web = scope.spawn(|| web_build::build(root, &config));
        let worker = build_worker(root, &config);
        let web = web
            .join()
            .unwrap_or_else(|_| Err(Failure::new("the web build stopped unexpectedly")));
        worker.and(web)
    })
}

/// Where worker-build writes: the folder of wrangler.toml's `main`.
fn worker_out_dir(root: &Path, config: &WranglerConfig) -> Result<PathBuf, Failure> {
    root.join(&config.main)
        .parent()
        .map(Path::to_path_buf)
        .ok_or_else(|| {
            Failure::new(format!(
                "wrangler.toml's main ({}) has no folder",
                config.main
            ))
        })
}

/// What the Worker's build reads: its crates (checked to be watched) and the workspace's
/// manifest, lock and toolchain.
fn worker_inputs(root: &Path, config: &WranglerConfig) -> Result<Vec<PathBuf>, Failure> {
    let mut all = inputs::crate_dirs(root, "Cargo.toml", WORKER_PACKAGE)?;
    inputs::watched(&all, config)?;
    all.extend(["Cargo.toml", "Cargo.lock"].map(PathBuf::from));
    all.extend(inputs::TOOLCHAIN.iter().map(PathBuf::from));
    Ok(all)
}

/// `cargo xtask inputs`: what each build reads and where it writes, for when a rebuild
/// (or the lack of one) surprises.
pub fn describe(root: &Path) -> Result<(), Failure> {
    let config = WranglerConfig::load(root)?;
    let show = |name: &str, inputs: &[PathBuf], output: &str| {
        println!("{name} reads:");
        for input in inputs {
            println!("  {}", input.display());
        }
        println!("{name} writes: {output}\n");
    };
    show("the Worker", &worker_inputs(root, &config)?, &config.main);
    let assets = config
        .assets
        .as_ref()
        .map_or("(no [assets])", |a| a.directory.as_str());
    show("the web app", &web_build::inputs(root, &config)?, assets);
    println!(
        "wrangler dev rebuilds on a change under: {}",
        config.build.watch_dir.join(", ")
    );
    Ok(())
}

fn build_worker(root: &Path, config: &WranglerConfig) -> Result<(), Failure> {
    let all = worker_inputs(root, config)?;
    let stamp = Stamp::new(root, "worker", inputs::hash(root, &all)?);

    let out = worker_out_dir(root, config)?;
    let wasm = out.join("index_bg.wasm");
    if stamp.up_to_date(&[root.join(&config.main), wasm.clone()]) {
        eprintln!(
            "build: the Worker is up to date (its sources have not changed since it was built)"
        );
        return Ok(());
    }

    let tools = Tools::find(root);
    Cmd::new(&tools.worker_build, root)
        .current_dir(&root.join("workers").join(WORKER_PACKAGE))
        .args(["--release", "--out-dir"])
        .arg(&out)
        .env("PATH", tools.path)
        .env("WASM_BINDGEN_BIN", &tools.wasm_bindgen)
        .env("WASM_OPT_BIN", &tools.wasm_opt)
        .env("ESBUILD_BIN", root.join("node_modules/.bin/esbuild"))
        .run()?;

    // worker-build keeps the wasm's function-name section (wasm-opt --debuginfo): ~140 KiB
    // of the gzipped upload that only stack traces read. Strip it and keep the names beside
    // the build instead (`index of a wasm function: its name`), for symbolicating a trace by
    // hand. The features are worker-build's own list, so nothing newer than workerd
    // supports appears.
    let symbols = root.join("target/worker-symbols");
    std::fs::create_dir_all(&symbols)
        .map_err(|e| Failure::new(format!("{}: {e}", symbols.display())))?;
    Cmd::new(&tools.wasm_opt, root)
        .arg(&wasm)
        .args([
            "--enable-mutable-globals",
            "--enable-sign-ext",
            "--enable-nontrapping-float-to-int",
            "--enable-bulk-memory",
            "--enable-multivalue",
            "--enable-reference-types",
            "--enable-exception-handling",
            "--strip-debug",
        ])
        .arg(format!(
            "--symbolmap={}",
            symbols.join("index_bg.symbols").display()
        ))
        .arg("-o")
        .arg(&wasm)
        .run()?;
    stamp.record()
}
