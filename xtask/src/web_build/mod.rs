//! `cargo xtask build-web`: the traveller web app into the folder the Worker serves as
//! static assets (wrangler.toml's `[assets] directory`).
//!
//! cargo (wasm32, size-optimised) -> wasm-split (one module per group of lazy pages) ->
//! wasm-bindgen (`--target web`) -> binaryen `-Oz` -> a content-hashed folder of modules,
//! an `index.html` that preloads the first page's, the stylesheet, the boot module with the
//! app's page table in it, GraphiQL's files, and a `_headers` file (the Worker's security
//! headers everywhere, hashed assets cached for a year). No trunk: the pinned tools
//! scripts/setup.sh installs are enough.

mod page;
mod split_loader;

use std::path::{Path, PathBuf};

use airline_manifest::edge::{
    APP_CONTENT_SECURITY_POLICY, APP_CONTENT_SECURITY_POLICY_STRIPE, SECURITY_HEADERS,
};
use sha2::{Digest, Sha256};

use crate::inputs::{self, Stamp};
use crate::process::Cmd;
use crate::tools::Tools;
use crate::wrangler_config::WranglerConfig;
use crate::Failure;

use self::page::{Payments, Shell};

/// The web app's workspace and its package.
const WORKSPACE: &str = "web";
const PACKAGE: &str = "airline-web";

/// What the build reads beside the crates it compiles: the page's shell, styles and
/// operations (checked against the API's schema when the app compiles), the versions of
/// the npm tools and GraphiQL, and wrangler.toml's payment settings.
const READS: &[&str] = &[
    "web/Cargo.toml",
    "web/Cargo.lock",
    "web/.cargo",
    "web/graphql",
    "web/shell",
    "web/styles",
    "schema.graphql",
    "wrangler.toml",
    "package-lock.json",
    "scripts/wasm-opt-all.mjs",
];

/// The folders of those that `wrangler dev` must watch (the rest are files it reloads
/// for itself, or that only change with an install).
const WATCHED_READS: &[&str] = &["web/graphql", "web/shell", "web/styles"];

/// GraphiQL, the React it runs on, and its page's own script and stylesheet: served from
/// `/graphiql/*`, from node_modules (the versions package-lock.json pins), never a CDN, so
/// the page works offline and under a policy that allows this origin only.
const GRAPHIQL_FILES: &[&str] = &[
    "node_modules/graphiql/graphiql.min.js",
    "node_modules/graphiql/graphiql.min.css",
    "node_modules/react/umd/react.production.min.js",
    "node_modules/react-dom/umd/react-dom.production.min.js",
    "workers/airline-worker/src/graphiql-init.js",
    "workers/airline-worker/src/graphiql-page.css",
];

/// The web app has been built (its page is in the assets folder).
pub fn built(root: &Path, config: &WranglerConfig) -> bool {
    dist(root, config).is_ok_and(|dist| dist.join("index.html").exists())
}

fn dist(root: &Path, config: &WranglerConfig) -> Result<PathBuf, Failure> {
    config
        .assets
        .as_ref()
        .map(|assets| root.join(&assets.directory))
        .ok_or_else(|| Failure::new("wrangler.toml has no [assets] directory for the web app"))
}

/// What the web build reads: its crates (checked to be watched), [`READS`], the toolchain.
pub fn inputs(root: &Path, config: &WranglerConfig) -> Result<Vec<PathBuf>, Failure> {
    let mut all = inputs::crate_dirs(root, "web/Cargo.toml", PACKAGE)?;
    all.extend(WATCHED_READS.iter().map(PathBuf::from));
    inputs::watched(&all, config)?;
    all.extend(READS.iter().map(PathBuf::from));
    all.extend(GRAPHIQL_FILES.iter().map(PathBuf::from));
    all.extend(inputs::TOOLCHAIN.iter().map(PathBuf::from));
    all.sort();
    all.dedup();
    Ok(all)
}

pub fn build(root: &Path, config: &WranglerConfig) -> Result<(), Failure> {
    let payments = Payments::from_settings(
        std::env::var("PAYMENT_PROVIDER").ok(),
        std::env::var("STRIPE_PUBLISHABLE_KEY").ok(),
        config,
    )?;
    let dist = dist(root, config)?;
    let all = inputs(root, config)?;
    let stamp = Stamp::new(root, "web", inputs::hash(root, &all)?);
    if stamp.up_to_date(&[dist.join("index.html")]) {
        eprintln!("build-web: the web app is up to date (its sources have not changed since it was built)");
        return Ok(());
    }

    let web = root.join(WORKSPACE);
    let stage = web.join("target/stage");
    let app = stage.join("app");
    remake_dir(&stage)?;
    make_dir(&app)?;
    compile(root, &web, &app)?;

    let next = dist.with_extension("next");
    remake_dir(&next)?;
    make_dir(&next.join("assets"))?;

    // The modules load one another by relative names (app.js <-> __wasm_split.js -> page
    // modules), so they share one folder named by the hash of all of them: a deploy
    // changes the name, and every file in it can be cached forever.
    let app_hash = short_hash(&concatenated(&files_in(&app)?)?);
    let app_dir = format!("app-{app_hash}");
    copy_dir(&app, &next.join("assets").join(&app_dir))?;

    let styles = concatenated(&files_in(&web.join("styles"))?)?;
    let css_name = format!("app-{}.css", short_hash(&styles));
    write(&next.join("assets").join(&css_name), &styles)?;

    let loader = read_text(&app.join("__wasm_split.js"))?;
    let page_modules = split_loader::page_modules(&loader)?;
    let missing = page::groups_without_module(&page_modules);
    if !missing.is_empty() {
        return Err(Failure::new(format!(
            "build-web: the build split off no module named {} (web/app/src/pages/lazy/ and \
             PageGroup::module in web/core/src/pages.rs disagree)",
            missing.join(", ")
        )));
    }
    let page_routes = airline_web_core::pages::page_routes_json();
    // The browser tests read the page table the app was built with.
    write(&web.join("target/page-routes.json"), page_routes.as_bytes())?;

    let shell = Shell {
        app_dir: format!("/assets/{app_dir}"),
        css: format!("/assets/{css_name}"),
        page_modules: serde_json::to_string(&page_modules)
            .map_err(|e| Failure::new(format!("page modules: {e}")))?,
        page_routes,
        payments: &payments,
    };
    let boot = shell.boot_js(&read_text(&web.join("shell/boot.js"))?);
    let index = shell.index_html(&read_text(&web.join("shell/index.html"))?, "", &app_hash);
    for (name, text) in [("boot.js", &boot), ("index.html", &index)] {
        let left = page::unfilled(text);
        if !left.is_empty() {
            return Err(Failure::new(format!(
                "build-web: web/shell/{name} names {} which the build does not fill",
                left.join(", ")
            )));
        }
    }
    let boot_name = format!("boot-{}.js", short_hash(boot.as_bytes()));
    write(&next.join("assets").join(&boot_name), boot.as_bytes())?;
    copy(&web.join("shell/icon.svg"), &next.join("assets/icon.svg"))?;
    let index = shell.index_html(
        &read_text(&web.join("shell/index.html"))?,
        &format!("/assets/{boot_name}"),
        &app_hash,
    );
    write(&next.join("index.html"), index.as_bytes())?;

    let graphiql = next.join("graphiql");
    make_dir(&graphiql)?;
    for file in GRAPHIQL_FILES {
        let source = root.join(file);
        if !source.is_file() {
            return Err(Failure::new(format!(
                "build-web: {file} is missing (run scripts/setup.sh, which installs node_modules)"
            )));
        }
        let name = source.file_name().unwrap_or_default();
        copy(&source, &graphiql.join(name))?;
    }

    let policy = match payments {
        Payments::Sandbox => APP_CONTENT_SECURITY_POLICY,
        Payments::Stripe { .. } => APP_CONTENT_SECURITY_POLICY_STRIPE,
    };
    write(&next.join("_headers"), headers_file(policy).as_bytes())?;

    swap_into_place(&next, &dist)?;
    report_sizes(root, &dist, &app_dir)?;
    stamp.record()
}

/// cargo, wasm-split, wasm-bindgen and binaryen: the app's modules into `app`.
fn compile(root: &Path, web: &Path, app: &Path) -> Result<(), Failure> {
    let tools = Tools::find(root);
    // The app, split at its lazy routes: the search page and the frame in the main module,
    // every other group of pages in its own, fetched when a traveller first goes there.
    // wasm-split needs the linker's relocations (`--emit-relocs`, web/.cargo/config.toml);
    // the main module it writes then goes through wasm-bindgen as usual, keeping the
    // exports the page modules import from it.
    Cmd::new("cargo", root)
        .current_dir(web)
        .args([
            "build",
            "--quiet",
            "--target",
            "wasm32-unknown-unknown",
            "--release",
            "-p",
            PACKAGE,
        ])
        .run()?;
    let wasm = web.join("target/wasm32-unknown-unknown/release/airline-web.wasm");
    Cmd::new(tools.installed("wasm-split-cli"), root)
        .args(["--out-name", "app"])
        .arg(&wasm)
        .arg(app)
        .run()?;
    Cmd::new(&tools.wasm_bindgen, root)
        .args([
            "--target",
            "web",
            "--no-typescript",
            "--keep-lld-exports",
            "--no-demangle",
        ])
        .arg("--out-dir")
        .arg(app)
        .args(["--out-name", "app"])
        .arg(app.join("app.wasm"))
        .run()?;
    std::fs::rename(app.join("app_bg.wasm"), app.join("app.wasm"))
        .map_err(|e| Failure::new(format!("{}: {e}", app.display())))?;
    // Every module, main and pages, -Oz on its own, in one process. (wasm-opt does not
    // know the name subsection wasm-split keeps, and drops it: not news, so not shown.)
    let (optimised, output) = Cmd::new("node", root)
        .arg(root.join("scripts/wasm-opt-all.mjs"))
        .arg(app)
        .output_text()?;
    for line in output
        .lines()
        .filter(|line| !line.contains("unknown name subsection"))
    {
        eprintln!("{line}");
    }
    if optimised {
        Ok(())
    } else {
        Err(Failure::new("build-web: wasm-opt-all failed"))
    }
}

/// `_headers`: the security headers on every response the assets serve (the Worker sets
/// the same ones on the HTML it renders itself), with the app's script policy, which adds
/// only what wasm needs; hashed assets cached for a year, GraphiQL's for an hour.
fn headers_file(app_policy: &str) -> String {
    let mut file = String::from("/*\n");
    for (name, value) in SECURITY_HEADERS {
        let value = if name == "Content-Security-Policy" {
            app_policy
        } else {
            value
        };
        file.push_str(&format!("  {name}: {value}\n"));
    }
    file.push_str("/assets/*\n  Cache-Control: public, max-age=31536000, immutable\n");
    file.push_str("/graphiql/*\n  Cache-Control: public, max-age=3600\n");
    file
}

/// Into place without a moment of no app: new hashed files first, then the HTML that
/// names them, then the old files go (a running `wrangler dev` serves throughout).
fn swap_into_place(next: &Path, dist: &Path) -> Result<(), Failure> {
    make_dir(dist)?;
    for folder in ["assets", "graphiql"] {
        copy_dir(&next.join(folder), &dist.join(folder))?;
    }
    for file in ["_headers", "index.html"] {
        copy(&next.join(file), &dist.join(file))?;
    }
    for file in files_in_tree(dist)? {
        let relative = file.strip_prefix(dist).unwrap_or(&file);
        if !next.join(relative).exists() {
            remove_file(&file)?;
        }
    }
    remove_empty_dirs(dist)?;
    std::fs::remove_dir_all(next).map_err(|e| Failure::new(format!("{}: {e}", next.display())))
}

fn report_sizes(root: &Path, dist: &Path, app_dir: &str) -> Result<(), Failure> {
    let folder = dist.join("assets").join(app_dir);
    let gzip_kib = |file: &Path| -> Result<usize, Failure> {
        let gzipped = Cmd::new("gzip", root).arg("-9c").arg(file).stdout_bytes()?;
        Ok(gzipped.len() / 1024)
    };
    let on_demand = files_in(&folder)?
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "wasm") && !f.ends_with("app.wasm"))
        .count();
    eprintln!(
        "build-web: {app_dir}: first load app.wasm {} KiB gzip, app.js {} KiB gzip; {on_demand} modules loaded on demand",
        gzip_kib(&folder.join("app.wasm"))?,
        gzip_kib(&folder.join("app.js"))?,
    );
    Ok(())
}

fn short_hash(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The files directly in `dir`, by name.
fn files_in(dir: &Path) -> Result<Vec<PathBuf>, Failure> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Failure::new(format!("{}: {e}", dir.display())))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    Ok(files)
}

fn files_in_tree(dir: &Path) -> Result<Vec<PathBuf>, Failure> {
    let mut files = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder)
            .map_err(|e| Failure::new(format!("{}: {e}", folder.display())))?
        {
            let path = entry
                .map_err(|e| Failure::new(format!("{}: {e}", folder.display())))?
                .path();
            if path.is_dir() {
                folders.push(path);
            } else {
                files.push(path);
            }
        }
    }
    Ok(files)
}

fn remove_empty_dirs(dir: &Path) -> Result<bool, Failure> {
    let mut empty = true;
    for entry in
        std::fs::read_dir(dir).map_err(|e| Failure::new(format!("{}: {e}", dir.display())))?
    {
        let path = entry
            .map_err(|e| Failure::new(format!("{}: {e}", dir.display())))?
            .path();
        if path.is_dir() && remove_empty_dirs(&path)? {
            std::fs::remove_dir(&path)
                .map_err(|e| Failure::new(format!("{}: {e}", path.display())))?;
        } else {
            empty = false;
        }
    }
    Ok(empty)
}

fn concatenated(files: &[PathBuf]) -> Result<Vec<u8>, Failure> {
    let mut all = Vec::new();
    for file in files {
        all.extend(
            std::fs::read(file).map_err(|e| Failure::new(format!("{}: {e}", file.display())))?,
        );
    }
    Ok(all)
}

fn read_text(path: &Path) -> Result<String, Failure> {
    std::fs::read_to_string(path).map_err(|e| Failure::new(format!("{}: {e}", path.display())))
}

fn write(path: &Path, contents: impl AsRef<[u8]>) -> Result<(), Failure> {
    std::fs::write(path, contents).map_err(|e| Failure::new(format!("{}: {e}", path.display())))
}

fn copy(from: &Path, to: &Path) -> Result<(), Failure> {
    std::fs::copy(from, to)
        .map(drop)
        .map_err(|e| Failure::new(format!("{} -> {}: {e}", from.display(), to.display())))
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), Failure> {
    make_dir(to)?;
    for entry in
        std::fs::read_dir(from).map_err(|e| Failure::new(format!("{}: {e}", from.display())))?
    {
        let path = entry
            .map_err(|e| Failure::new(format!("{}: {e}", from.display())))?
            .path();
        let target = to.join(path.file_name().unwrap_or_default());
        if path.is_dir() {
            copy_dir(&path, &target)?;
        } else {
            copy(&path, &target)?;
        }
    }
    Ok(())
}

fn make_dir(dir: &Path) -> Result<(), Failure> {
    std::fs::create_dir_all(dir).map_err(|e| Failure::new(format!("{}: {e}", dir.display())))
}

fn remake_dir(dir: &Path) -> Result<(), Failure> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)
            .map_err(|e| Failure::new(format!("{}: {e}", dir.display())))?;
    }
    make_dir(dir)
}

fn remove_file(file: &Path) -> Result<(), Failure> {
    std::fs::remove_file(file).map_err(|e| Failure::new(format!("{}: {e}", file.display())))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn every_asset_gets_the_security_headers_with_the_app_s_policy() {
        let file = headers_file(APP_CONTENT_SECURITY_POLICY);
        assert!(
            file.starts_with("/*\n  Content-Security-Policy: "),
            "{file}"
        );
        assert!(file.contains(&format!(
            "  Content-Security-Policy: {APP_CONTENT_SECURITY_POLICY}\n"
        )));
        for (name, _) in SECURITY_HEADERS {
            assert_eq!(
                file.matches(&format!("  {name}: ")).count(),
                1,
                "{name} once"
            );
        }
        assert!(file.contains("/assets/*\n  Cache-Control: public, max-age=31536000, immutable\n"));
    }

    #[test]
    fn a_swap_leaves_the_new_build_and_nothing_of_the_old() {
        let dir = tempfile::tempdir().unwrap();
        let (next, dist) = (dir.path().join("dist.next"), dir.path().join("dist"));
        for (root, files) in [
            (
                &dist,
                &[
                    "index.html",
                    "_headers",
                    "assets/app-old/app.wasm",
                    "graphiql/g.js",
                ][..],
            ),
            (
                &next,
                &[
                    "index.html",
                    "_headers",
                    "assets/app-new/app.wasm",
                    "graphiql/g.js",
                ][..],
            ),
        ] {
            for file in files {
                let path = root.join(file);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, format!("{}", root.display())).unwrap();
            }
        }
        swap_into_place(&next, &dist).unwrap();
        assert!(!next.exists());
        assert!(dist.join("assets/app-new/app.wasm").exists());
        assert!(
            !dist.join("assets/app-old").exists(),
            "old folders go, emptied"
        );
        assert_eq!(
            std::fs::read_to_string(dist.join("index.html")).unwrap(),
            next.display().to_string()
        );
    }

    #[test]
    fn the_web_build_reads_its_crates_and_shell_and_they_are_watched() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let config = WranglerConfig::load(root).unwrap();
        let all = inputs(root, &config).unwrap();
        for expected in [
            "web/app",
            "web/core",
            "web/shell",
            "workers/airline-domain",
            "schema.graphql",
        ] {
            assert!(
                all.contains(&PathBuf::from(expected)),
                "{expected} in {all:?}"
            );
        }
    }
}
