// `wasm-opt -Oz` for every .wasm file under a directory, in one process. The split web app
// is some 80 modules, most of them small; the npm wasm-opt command starts binaryen afresh
// for each (a third of a second apiece), this loads it once.
//
// Usage: node scripts/wasm-opt-all.mjs <dir>
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import binaryen from "binaryen";

const dir = process.argv[2];
if (!dir) {
  console.error("usage: node scripts/wasm-opt-all.mjs <dir>");
  process.exit(2);
}

// -Oz: the default passes, optimising hard for size.
binaryen.setOptimizeLevel(2);
binaryen.setShrinkLevel(2);

for (const name of readdirSync(dir).filter((n) => n.endsWith(".wasm")).sort()) {
  const path = join(dir, name);
  const module = binaryen.readBinary(readFileSync(path));
  module.setFeatures(
    module.getFeatures() | binaryen.Features.BulkMemory | binaryen.Features.NontrappingFPToInt,
  );
  module.optimize();
  if (!module.validate()) {
    console.error(`wasm-opt-all: ${name} is not valid after optimising`);
    process.exit(1);
  }
  writeFileSync(path, module.emitBinary());
  module.dispose();
}
