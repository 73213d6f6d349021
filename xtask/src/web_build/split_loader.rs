//! Reads the loader wasm-split writes (`__wasm_split.js`): which files each split-off
//! group of pages needs, its own module and the chunks it shares with other groups. The
//! page table names groups by their module (`__results_pages_view`); wasm-split adds a
//! hash of where the function is defined (`__results_pages_view_2338…`), dropped here.

use std::collections::BTreeMap;

use crate::Failure;

/// Each group's files, by the group's module name: e.g. `__results_pages_view` ->
/// `["split___results_pages_view_2338….wasm", "chunk_5.wasm", …]`.
pub type PageModules = BTreeMap<String, Vec<String>>;

const CHUNK: &str = "const __chunk_";
const GROUP: &str = "export const __wasm_split_load_";

pub fn page_modules(loader: &str) -> Result<PageModules, Failure> {
    let unreadable = |what: &str| Failure::new(format!("__wasm_split.js: {what}"));

    // `const __chunk_4 = makeLoad(() => { … new URL("./chunk_4.wasm" …`
    let mut chunks = BTreeMap::new();
    for (at, _) in loader.match_indices(CHUNK) {
        let rest = &loader[at + "const ".len()..];
        let name = identifier(rest);
        let file = first_url(rest).ok_or_else(|| unreadable(&format!("{name} loads no file")))?;
        chunks.insert(name, file);
    }

    // `export const __wasm_split_load_NAME = wrapAsyncCb(makeLoad(() => { … new
    // URL("./split_NAME.wasm" … }, [__chunk_5, __chunk_6]));`
    let mut groups = PageModules::new();
    for (at, _) in loader.match_indices(GROUP) {
        let rest = &loader[at + GROUP.len()..];
        let name = identifier(rest);
        let file = first_url(rest).ok_or_else(|| unreadable(&format!("{name} loads no file")))?;
        let deps_at = rest
            .find(", [")
            .ok_or_else(|| unreadable(&format!("{name} lists no chunks")))?;
        let deps = &rest[deps_at + 3..];
        let deps = &deps[..deps.find(']').unwrap_or(0)];
        let mut files = vec![file];
        for dep in deps.split(',').map(str::trim).filter(|d| !d.is_empty()) {
            let chunk = chunks
                .get(dep)
                .ok_or_else(|| unreadable(&format!("{name} needs {dep}, which is not defined")))?;
            files.push(chunk.clone());
        }
        groups.insert(without_hash(name).to_owned(), files);
    }
    if groups.is_empty() {
        return Err(unreadable("no split modules found"));
    }
    Ok(groups)
}

fn identifier(text: &str) -> &str {
    let end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    &text[..end]
}

fn first_url(text: &str) -> Option<String> {
    let start = text.find("new URL(\"./")? + "new URL(\"./".len();
    let end = text[start..].find('"')?;
    Some(text[start..start + end].to_owned())
}

/// `__results_pages_view_2338536319872102349` -> `__results_pages_view`.
fn without_hash(name: &str) -> &str {
    match name.rsplit_once('_') {
        Some((stem, hash)) if !hash.is_empty() && hash.bytes().all(|b| b.is_ascii_digit()) => stem,
        _ => name,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    const LOADER: &str = r#"
function makeLoad(fetcher, deps) { }
/* __account_pages_view_96, __results_pages_view_23 */
const __chunk_4 = makeLoad(() => {
    const src = fetch(new URL("./chunk_4.wasm", import.meta.url));
    return async (imports) => (WebAssembly.instantiateStreaming(src, imports));
}
, []);
const __chunk_5 = makeLoad(() => {
    const src = fetch(new URL("./chunk_5.wasm", import.meta.url));
}
, []);
export const __wasm_split_load___results_pages_view_23 = wrapAsyncCb(makeLoad(() => {
    const src = fetch(new URL("./split___results_pages_view_23.wasm", import.meta.url));
}
, [__chunk_4, __chunk_5]));
export const __wasm_split_load___account_pages_view_96 = wrapAsyncCb(makeLoad(() => {
    const src = fetch(new URL("./split___account_pages_view_96.wasm", import.meta.url));
}
, [__chunk_4]));
export const __wasm_split_load___lonely_view_7 = wrapAsyncCb(makeLoad(() => {
    const src = fetch(new URL("./split___lonely_view_7.wasm", import.meta.url));
}
, []));
"#;

    #[test]
    fn each_group_needs_its_module_and_the_chunks_it_shares() {
        let modules = page_modules(LOADER).unwrap();
        assert_eq!(
            modules["__results_pages_view"],
            [
                "split___results_pages_view_23.wasm",
                "chunk_4.wasm",
                "chunk_5.wasm"
            ]
        );
        assert_eq!(
            modules["__account_pages_view"],
            ["split___account_pages_view_96.wasm", "chunk_4.wasm"]
        );
        assert_eq!(modules["__lonely_view"], ["split___lonely_view_7.wasm"]);
    }

    #[test]
    fn a_loader_without_groups_or_with_an_unknown_chunk_is_refused() {
        assert!(page_modules("function makeLoad() {}").is_err());
        let unknown = LOADER.replace("const __chunk_5 =", "const __chunk_9 =");
        let error = page_modules(&unknown).unwrap_err();
        assert!(error.to_string().contains("__chunk_5"), "{error}");
    }
}
