// Starts one fresh dev server for the whole run through the Rust e2e harness
// (tests/src/bin/serve_e2e.rs: migrated + seeded local D1 in a temporary --persist-to, a
// free port) and hands its address to the tests as process.env.BASE_URL and the
// timetable's first day as process.env.SEED_START. The returned function is the global
// teardown: it closes the server's stdin, sends SIGTERM and waits for it to exit, leaving
// the end of wrangler's log in target/browser/wrangler-dev.log (AIRLINE_E2E_LOG_LEVEL=debug
// for more). If this process dies instead, the closed stdin stops the server all the same.
//
// BASE_URL already set: that server is used and nothing is started.
// SERVE_E2E_BIN: the harness binary (default target/debug/serve-e2e, which
// `cargo build -p airline-e2e --bin serve-e2e` builds). SERVE_E2E_VARS: extra
// space-separated NAME:VALUE Worker vars (passed as --var NAME:VALUE).
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import fs from 'node:fs';
import readline from 'node:readline';

const root = path.resolve(__dirname, '../..');
const READY_TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_MS = 20_000;

// Worker vars every browser run gets, as NAME:VALUE (e.g. 'ACCESS_TOKEN_TTL_SECONDS:30'
// for sessions short enough to see a refresh); the harness's defaults (test signing key,
// loyalty service key) come first and a var named again here wins.
const DEFAULT_VARS: string[] = ['ACCESS_TOKEN_TTL_SECONDS:30'];

export default async function globalSetup(): Promise<(() => Promise<void>) | void> {
  if (process.env.BASE_URL) {
    console.log(`browser tests: using the server at ${process.env.BASE_URL}`);
    return;
  }
  const bin = process.env.SERVE_E2E_BIN ?? path.join(root, 'target/debug/serve-e2e');
  if (!fs.existsSync(bin)) {
    throw new Error(`${bin} is missing: run \`cargo build -p airline-e2e --bin serve-e2e\` first`);
  }
  const vars = [...DEFAULT_VARS, ...(process.env.SERVE_E2E_VARS ?? '').split(/\s+/).filter(Boolean)];
  const args = [
    ...vars.flatMap((v) => ['--var', v]),
    '--log-tail',
    path.join(root, 'target/browser/wrangler-dev.log'),
  ];
  const started = Date.now();
  // stdin is a pipe held by this process: its end (teardown, or this process dying)
  // stops the server. stderr carries the harness's messages and failures.
  const child = spawn(bin, args, { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
  const { baseURL, seedStart } = await waitForReady(child);
  process.env.BASE_URL = baseURL;
  process.env.SEED_START = seedStart;
  console.log(`browser tests: dev server at ${baseURL} (seed from ${seedStart}) in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  return () => stop(child);
}

function waitForReady(child: ChildProcess): Promise<{ baseURL: string; seedStart: string }> {
  return new Promise((resolve, reject) => {
    let baseURL: string | undefined;
    const timer = setTimeout(() => {
      fail(new Error(`serve-e2e: not ready after ${READY_TIMEOUT_MS / 1000}s`));
    }, READY_TIMEOUT_MS);
    const fail = (error: Error) => {
      clearTimeout(timer);
      void stop(child).finally(() => reject(error));
    };
    const lines = readline.createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const [key, value] = line.trim().split(/\s+/, 2);
      if (key === 'READY') baseURL = value;
      if (key === 'SEED_START' && baseURL) {
        clearTimeout(timer);
        resolve({ baseURL, seedStart: value });
      }
    });
    child.once('error', (error) => fail(error));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`serve-e2e exited before it was ready (${signal ?? `code ${code}`}); see its messages above`));
    });
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stdin?.end();
  child.kill('SIGTERM');
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS).unref());
  if ((await Promise.race([exited, timeout])) === 'timeout') {
    console.error(`serve-e2e: still running ${STOP_TIMEOUT_MS / 1000}s after SIGTERM; killing it`);
    child.kill('SIGKILL');
    await exited;
  }
}
