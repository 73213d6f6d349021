// Reads the loader wasm-split writes (__wasm_split.js) and prints, as JSON, the files each
// lazily loaded group of pages needs: its own module and the chunks it shares with other
// groups, e.g. {"results_page": ["split_results_page_….wasm", "chunk_5.wasm"]}. web/shell/boot.js
// uses it to fetch a deep link's pages alongside the app instead of after it.
//
// Usage: node scripts/split-manifest.mjs <__wasm_split.js>
import { readFileSync } from "node:fs";

const path = process.argv[2];
if (!path) {
  console.error("usage: node scripts/split-manifest.mjs <__wasm_split.js>");
  process.exit(2);
}
const loader = readFileSync(path, "utf8");
// wasm-split names a group after its function plus a hash of where it is defined.
const group = (name) => name.replace(/_\d+$/, "");

const files = {};
for (const [, name, file] of loader.matchAll(
  /export const __wasm_split_load_(\w+) = [\s\S]*?new URL\("\.\/([\w.]+\.wasm)"/g,
)) {
  files[group(name)] = [file];
}
// Each shared chunk is preceded by a comment naming the groups that use it.
for (const [, users, file] of loader.matchAll(
  /\/\* ([\w, ]+) \*\/\s*const __chunk_\d+ = makeLoad\([\s\S]*?new URL\("\.\/([\w.]+\.wasm)"/g,
)) {
  for (const user of users.split(", ")) {
    (files[group(user)] ??= []).push(file);
  }
}
if (Object.keys(files).length === 0) {
  console.error(`split-manifest: no split modules found in ${path}`);
  process.exit(1);
}
console.log(JSON.stringify(files));
