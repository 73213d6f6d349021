// Serves a Worker the way `wrangler dev` does (same wrangler.toml, same local state), but
// straight through Miniflare: no wrangler process in front and no DevTools inspector
// attached, so none of the per-call reports wrangler dev forwards to node. The benchmark
// (xtask/src/measure/bench/ratios.rs, `--runtime miniflare`) measures both ways; this is the
// closer of the two to what the Worker itself costs.
//
//   node tests/bench/miniflare-serve.mjs --config wrangler.toml --port 8790 \
//     --persist-to DIR [--var NAME:VALUE ...]
//
// Prints "Ready on http://127.0.0.1:PORT" once it serves, and the Worker's console
// output (its structured log lines) on stdout, as wrangler dev does.
import path from "node:path";
import { Log, LogLevel, Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";

const args = process.argv.slice(2);
const option = (name) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};
const config = option("--config") ?? "wrangler.toml";
const port = Number(option("--port") ?? 8787);
const persist = option("--persist-to");
if (!persist) {
  console.error("miniflare-serve: --persist-to DIR is required");
  process.exit(2);
}
const vars = {};
args.forEach((arg, i) => {
  if (arg === "--var") {
    const [name, ...value] = args[i + 1].split(":");
    vars[name] = value.join(":");
  }
});

const { workerOptions, main } = unstable_getMiniflareWorkerOptions(config);
// wrangler keeps each kind of local state in its own folder under --persist-to.
const state = (kind) => path.join(persist, "v3", kind);
const mf = new Miniflare({
  ...workerOptions,
  name: "worker",
  modules: true,
  scriptPath: main,
  modulesRoot: path.dirname(main),
  bindings: { ...workerOptions.bindings, ...vars },
  host: "127.0.0.1",
  port,
  d1Persist: state("d1"),
  durableObjectsPersist: state("do"),
  cachePersist: state("cache"),
  kvPersist: state("kv"),
  // Offline: the placeholder `request.cf` without first trying to download the real one.
  cf: false,
  log: new Log(LogLevel.INFO),
});
const url = await mf.ready;
console.log(`Ready on ${url.origin}`);

const stop = async () => {
  await mf.dispose();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
