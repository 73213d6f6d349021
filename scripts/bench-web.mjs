// The number-crunching half of `scripts/bench.sh web` (which starts the server and runs
// Lighthouse); prints numbers and never fails on them.
//
//   node scripts/bench-web.mjs sizes <base url>
//     First-load transfer size of the page at <base url>/: the HTML, then every
//     <script src>, <link rel=modulepreload|preload|stylesheet href> and every /assets/…
//     .js/.wasm/.css path an inline script or a loaded script names, each fetched with
//     `Accept-Encoding: gzip` and counted as sent (compressed), against the budget.
//   node scripts/bench-web.mjs scores <label>=<lighthouse json>...
//     The performance, accessibility and best-practices scores (x100) of each report
//     against the targets, the main timings, and the audits that cost points.
import http from 'node:http';
import https from 'node:https';
import fs from 'node:fs';
import zlib from 'node:zlib';

const BUDGET_KIB = 250;
const TARGETS = { performance: 90, accessibility: 95, 'best-practices': 95 };

const [command, ...args] = process.argv.slice(2);
if (command === 'sizes' && args.length === 1) {
  await sizes(args[0]);
} else if (command === 'scores' && args.length > 0) {
  scores(args);
} else {
  console.error('usage: bench-web.mjs sizes <base url> | scores <label>=<report.json>...');
  process.exit(2);
}

/** GETs `url` asking for gzip; the bytes as sent, and decoded. */
function get(url) {
  const client = url.startsWith('https:') ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.get(url, { headers: { 'accept-encoding': 'gzip' } }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const sent = Buffer.concat(chunks);
        const encoding = response.headers['content-encoding'] ?? 'identity';
        let body = sent;
        if (encoding === 'gzip') body = zlib.gunzipSync(sent);
        else if (encoding === 'br') body = zlib.brotliDecompressSync(sent);
        resolve({
          status: response.statusCode,
          type: (response.headers['content-type'] ?? '?').split(';')[0],
          encoding,
          sent: sent.length,
          body,
        });
      });
    });
    request.setTimeout(30_000, () => request.destroy(new Error(`timeout: ${url}`)));
    request.on('error', reject);
  });
}

function attributes(tag) {
  const found = {};
  for (const m of tag.matchAll(/([a-zA-Z:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/g)) {
    found[m[1].toLowerCase()] = m[2] ?? m[3] ?? m[4];
  }
  return found;
}

/** /assets/… script, wasm and stylesheet paths named as string literals in `code`. */
function referencedAssets(code) {
  return [...code.matchAll(/["'`](\/assets\/[^"'`\s]+\.(?:js|mjs|wasm|css))["'`]/g)].map((m) => m[1]);
}

async function sizes(base) {
  const pageURL = new URL('/', base).href;
  const page = await get(pageURL);
  const html = page.body.toString('utf8');
  const rows = [{ path: '/', why: 'document', ...page }];
  const queue = [];
  const seen = new Set([pageURL]);
  const want = (href, why) => {
    if (!href || href.startsWith('data:')) return;
    const url = new URL(href, pageURL).href;
    if (!seen.has(url)) {
      seen.add(url);
      queue.push({ url, why });
    }
  };
  for (const [tag, name] of html.matchAll(/<(script|link)\b[^>]*>/gi)) {
    const attrs = attributes(tag);
    if (name.toLowerCase() === 'script') {
      want(attrs.src, 'script');
    } else {
      const rel = (attrs.rel ?? '').toLowerCase().split(/\s+/);
      const kind = ['modulepreload', 'preload', 'stylesheet'].find((r) => rel.includes(r));
      if (kind) want(attrs.href, kind);
    }
  }
  for (const [, code] of html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/gi)) {
    for (const path of referencedAssets(code)) want(path, 'inline import');
  }
  while (queue.length > 0) {
    const { url, why } = queue.shift();
    const response = await get(url);
    rows.push({ path: new URL(url).pathname, why, ...response });
    if (/javascript/.test(response.type)) {
      const name = new URL(url).pathname.split('/').pop();
      for (const path of referencedAssets(response.body.toString('utf8'))) want(path, `named by ${name}`);
    }
  }

  const kib = (bytes) => (bytes / 1024).toFixed(1);
  const width = Math.max(30, ...rows.map((r) => r.path.length));
  const whyWidth = Math.max(18, ...rows.map((r) => r.why.length));
  console.log(`first load of ${pageURL} (as wrangler dev sends it; the edge also offers brotli)`);
  console.log(`  ${'file'.padEnd(width)}  ${'why'.padEnd(whyWidth)} ${'type'.padEnd(24)} ${'encoding'.padEnd(8)} ${'sent KiB'.padStart(9)} ${'raw KiB'.padStart(9)}`);
  for (const r of rows) {
    const warning =
      r.status !== 200 ? `  <- HTTP ${r.status}` :
      r.path !== '/' && r.type === 'text/html' ? '  <- HTML: a missing file served as the app?' : '';
    console.log(
      `  ${r.path.padEnd(width)}  ${r.why.padEnd(whyWidth)} ${r.type.padEnd(24)} ${r.encoding.padEnd(8)} ${kib(r.sent).padStart(9)} ${kib(r.body.length).padStart(9)}${warning}`,
    );
  }
  const sent = rows.reduce((sum, r) => sum + r.sent, 0);
  const raw = rows.reduce((sum, r) => sum + r.body.length, 0);
  const verdict = sent / 1024 <= BUDGET_KIB
    ? `within the ${BUDGET_KIB} KiB budget (${kib(BUDGET_KIB * 1024 - sent)} KiB to spare)`
    : `OVER the ${BUDGET_KIB} KiB budget by ${kib(sent - BUDGET_KIB * 1024)} KiB`;
  console.log(`  ${'total'.padEnd(width)}  ${`${rows.length} files`.padEnd(whyWidth)} ${''.padEnd(24)} ${''.padEnd(8)} ${kib(sent).padStart(9)} ${kib(raw).padStart(9)}`);
  console.log(`first load: ${kib(sent)} KiB sent, ${verdict}`);
}

function scores(pairs) {
  const categories = Object.keys(TARGETS);
  const reports = pairs.map((pair) => {
    const at = pair.indexOf('=');
    const label = pair.slice(0, at);
    const file = pair.slice(at + 1);
    try {
      return { label, report: JSON.parse(fs.readFileSync(file, 'utf8')) };
    } catch (error) {
      return { label, error: `no report (${error.message.split('\n')[0]})` };
    }
  });
  const width = Math.max(8, ...reports.map((r) => r.label.length));
  const first = reports.find((r) => r.report)?.report;
  const setting = first
    ? `lighthouse ${first.lighthouseVersion}, ${first.configSettings.formFactor}, ${first.configSettings.throttlingMethod} throttling`
    : 'lighthouse';
  console.log(`${setting}; scores x100`);
  console.log(`  ${'page'.padEnd(width)}  ${categories.map((c) => c.padStart(15)).join(' ')}`);
  for (const { label, report, error } of reports) {
    const cells = categories.map((c) => {
      const score = report?.categories?.[c]?.score;
      const text = typeof score === 'number' ? String(Math.round(score * 100)) : 'n/a';
      const mark = typeof score === 'number' && score * 100 < TARGETS[c] ? ' (below)' : '';
      return `${text}${mark}`.padStart(15);
    });
    console.log(`  ${label.padEnd(width)}  ${cells.join(' ')}${error ? `  ${error}` : ''}`);
  }
  console.log(`  ${'target'.padEnd(width)}  ${categories.map((c) => `>= ${TARGETS[c]}`.padStart(15)).join(' ')}`);

  const metrics = [
    ['first-contentful-paint', 'FCP'],
    ['largest-contentful-paint', 'LCP'],
    ['total-blocking-time', 'TBT'],
    ['cumulative-layout-shift', 'CLS'],
    ['speed-index', 'SI'],
  ];
  for (const { label, report } of reports) {
    if (!report) continue;
    const timings = metrics
      .map(([id, name]) => `${name} ${report.audits[id]?.displayValue ?? 'n/a'}`)
      .join(', ');
    console.log(`${label}: ${timings}`);
    if (report.runtimeError) console.log(`  runtime error: ${report.runtimeError.code}: ${report.runtimeError.message}`);
    for (const warning of report.runWarnings ?? []) console.log(`  warning: ${warning}`);
    for (const c of categories) {
      const losing = (report.categories[c]?.auditRefs ?? [])
        .filter((ref) => ref.weight > 0)
        .map((ref) => report.audits[ref.id])
        .filter((audit) => audit && typeof audit.score === 'number' && audit.score < 0.9)
        .map((audit) => `${audit.id} (${Math.round(audit.score * 100)})`);
      if (losing.length > 0) console.log(`  ${c} loses points on: ${losing.join(', ')}`);
    }
    // What the console said, which is otherwise only in the JSON.
    for (const item of (report.audits['errors-in-console']?.details?.items ?? []).slice(0, 5)) {
      const where = item.sourceLocation?.url ? ` (${item.sourceLocation.url})` : '';
      console.log(`  console ${item.source}: ${String(item.description).split('\n')[0]}${where}`);
    }
  }
}
