//! The pinned tools scripts/setup.sh installs, found where cargo put them (or where the
//! environment points), so a build never depends on the caller's PATH.

use std::path::{Path, PathBuf};

/// The pinned tools scripts/setup.sh installs.
pub struct Tools {
    /// `$HOME/.cargo/bin` first, where cargo installs them.
    pub path: std::ffi::OsString,
    cargo_bin: PathBuf,
    pub worker_build: PathBuf,
    pub wasm_bindgen: PathBuf,
    pub wasm_opt: PathBuf,
}

impl Tools {
    pub fn find(root: &Path) -> Self {
        let cargo_bin = std::env::var_os("HOME")
            .map(|home| PathBuf::from(home).join(".cargo/bin"))
            .unwrap_or_default();
        let mut paths = vec![cargo_bin.clone()];
        paths.extend(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        ));
        let path = std::env::join_paths(paths).unwrap_or_default();
        let cargo_bin_tool = |name: &str| installed(&cargo_bin, name);
        let wasm_bindgen = std::env::var_os("WASM_BINDGEN_BIN")
            .map(PathBuf::from)
            .unwrap_or_else(|| cargo_bin_tool("wasm-bindgen"));
        let wasm_opt = std::env::var_os("WASM_OPT_BIN")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join("node_modules/.bin/wasm-opt"));
        let worker_build = cargo_bin_tool("worker-build");
        Self {
            path,
            cargo_bin,
            worker_build,
            wasm_bindgen,
            wasm_opt,
        }
    }
}

impl Tools {
    /// A tool cargo installed, else whatever the PATH finds by that name.
    pub fn installed(&self, name: &str) -> PathBuf {
        installed(&self.cargo_bin, name)
    }
}

fn installed(cargo_bin: &Path, name: &str) -> PathBuf {
    let path = cargo_bin.join(name);
    if path.exists() {
        path
    } else {
        PathBuf::from(name)
    }
}
