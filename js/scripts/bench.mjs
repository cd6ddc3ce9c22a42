// The TypeScript SDK's figures (issue 16): per-call overhead of `get` and `submit` against raw
// `fetch` + `JSON.parse`, throughput at concurrency 100 against raw `fetch`, and the bundle size
// (minified + gzipped) of the client with its generated core and openapi-fetch.
//
// The server is the Python benchmarks' canned server (benchmarks/_canned_server.py) in its own
// process: it answers recorded real responses and does no work per request, so it costs the same
// for both sides and the ratio shows the client's own cost. Each baseline is measured in the same
// run, interleaved with the SDK (the order alternates every round); a figure is the median of the
// rounds' ratios. Nothing here asserts on time: the figures are reported, with their targets.
//
// `npm run bench` writes the section between the typescript markers of benchmarks/RESULTS.md
// (the Python report keeps it); `npm run bench -- --quick` is the smoke run of `nox -s js` and
// writes nothing. GQ_PYTHON names the Python that runs the canned server (default python3).
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { GopherQueue } from "../dist/index.js";

const JS = join(dirname(fileURLToPath(import.meta.url)), "..");
const ROOT = join(JS, "..");
const RESULTS = join(ROOT, "benchmarks", "RESULTS.md");
const START = "<!-- typescript:start -->";
const END = "<!-- typescript:end -->";
/** The job of capture 032, which the canned server answers for every GET of a job. */
const JOB_ID = "3097c2bb-b3be-476f-9d4d-f97f9eae8aa9";
/** The payload capture 020 sent. */
const PAYLOAD = { hello: "world", n: 1 };
const BUNDLE_TARGET = 15 * 1024;

const quick = process.argv.includes("--quick");
const plan = quick
  ? { rounds: 3, calls: 40, warmup: 40, throughputRounds: 2, throughputCalls: 300 }
  : { rounds: 15, calls: 400, warmup: 500, throughputRounds: 9, throughputCalls: 5000 };

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Start the canned server; resolves to its URL and a stop function (closing its stdin stops it). */
function startServer() {
  const python = process.env.GQ_PYTHON || "python3";
  const child = spawn(python, ["-m", "benchmarks._canned_server"], { cwd: ROOT, stdio: ["pipe", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let seen = "";
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`canned server exited (${code}) before announcing its port: ${seen}`)));
    child.stdout.on("data", function onData(chunk) {
      seen += chunk.toString();
      const match = /^PORT (\d+)\n/.exec(seen);
      if (!match) return;
      child.stdout.off("data", onData);
      child.removeAllListeners("exit");
      const stop = () =>
        new Promise((done) => {
          child.once("exit", done);
          child.stdin.end();
        });
      resolve({ url: `http://127.0.0.1:${match[1]}`, stop });
    });
  });
}

function rawClient(url) {
  const headers = { "Content-Type": "application/json" };
  return {
    async get() {
      const response = await fetch(`${url}/api/v1/jobs/${JOB_ID}`);
      return JSON.parse(await response.text());
    },
    async submit() {
      const body = JSON.stringify({ type: "echo", payload: PAYLOAD });
      const response = await fetch(`${url}/api/v1/jobs`, { method: "POST", headers, body });
      return JSON.parse(await response.text());
    },
  };
}

async function timeSerial(call, count) {
  const started = performance.now();
  for (let i = 0; i < count; i++) await call();
  return ((performance.now() - started) * 1000) / count; // microseconds per call
}

async function timeConcurrent(call, count, concurrency) {
  let left = count;
  const worker = async () => {
    while (left > 0) {
      left--;
      await call();
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return count / ((performance.now() - started) / 1000); // calls per second
}

/** Interleaved rounds of sdk and baseline; the figure is the median of the rounds' ratios. */
async function interleaved(rounds, measure, sdk, baseline) {
  const sdkSamples = [];
  const baseSamples = [];
  const ratios = [];
  for (let round = 0; round < rounds; round++) {
    let s;
    let b;
    if (round % 2 === 0) {
      s = await measure(sdk);
      b = await measure(baseline);
    } else {
      b = await measure(baseline);
      s = await measure(sdk);
    }
    sdkSamples.push(s);
    baseSamples.push(b);
    ratios.push(s / b);
  }
  return { sdk: median(sdkSamples), baseline: median(baseSamples), ratio: median(ratios), sdkSamples, baseSamples, ratios };
}

async function bundleSize() {
  const result = await build({
    entryPoints: [join(JS, "src", "index.ts")],
    bundle: true,
    minify: true,
    platform: "neutral",
    target: "es2022",
    format: "esm",
    write: false,
    logLevel: "warning",
  });
  const code = result.outputFiles[0].contents;
  return { minified: code.length, gzipped: gzipSync(code, { level: 9 }).length };
}

const fmt = (value, digits = 0) => value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

async function main() {
  const loadStart = os
    .loadavg()
    .map((v) => v.toFixed(2))
    .join("/");
  const began = performance.now();
  const bundle = await bundleSize();
  const server = await startServer();
  const rows = [];
  try {
    const client = new GopherQueue(server.url, { maxRetries: 0 });
    const raw = rawClient(server.url);
    const sdk = { get: () => client.get(JOB_ID), submit: () => client.submit("echo", PAYLOAD) };
    // Both sides must work, and warm up the JIT and the keep-alive pool, before anything is timed.
    for (const side of [sdk, raw]) {
      const job = await side.get();
      if (job.id !== JOB_ID) throw new Error(`get answered ${JSON.stringify(job)}`);
      await side.submit();
      await timeSerial(side.get, plan.warmup);
      await timeSerial(side.submit, plan.warmup);
      await timeConcurrent(side.submit, plan.warmup, 100);
    }
    for (const [number, name] of [
      ["T1a", "get"],
      ["T1b", "submit"],
    ]) {
      const r = await interleaved(plan.rounds, (side) => timeSerial(side[name], plan.calls), sdk, raw);
      rows.push({
        number,
        title: `per-call: ${name}()`,
        measured: `${fmt(r.sdk)} us/call`,
        baseline: `${fmt(r.baseline)} us/call (fetch + JSON.parse)`,
        ratio: r.ratio,
        target: "ratio <= 1.15",
        met: r.ratio <= 1.15,
        notes: [
          `${plan.rounds} rounds of ${plan.calls} sequential calls each side; ratio of the medians ${(r.sdk / r.baseline).toFixed(3)}`,
        ],
        samples: { sdk: r.sdkSamples, baseline: r.baseSamples, ratios: r.ratios },
      });
    }
    const t = await interleaved(plan.throughputRounds, (side) => timeConcurrent(side.submit, plan.throughputCalls, 100), sdk, raw);
    rows.push({
      number: "T2",
      title: "throughput: submit() at concurrency 100",
      measured: `${fmt(t.sdk)} submits/s`,
      baseline: `${fmt(t.baseline)} submits/s (fetch + JSON.parse)`,
      ratio: t.ratio,
      target: "ratio >= 0.8",
      met: t.ratio >= 0.8,
      notes: [
        `${plan.throughputRounds} rounds of ${plan.throughputCalls} submits from 100 concurrent callers each side; ratio of the medians ${(t.sdk / t.baseline).toFixed(3)}`,
      ],
      samples: { sdk: t.sdkSamples, baseline: t.baseSamples, ratios: t.ratios },
    });
  } finally {
    await server.stop();
  }
  rows.push({
    number: "T3",
    title: "bundle: client + generated core + openapi-fetch, minified + gzipped",
    measured: `${kb(bundle.gzipped)} (${fmt(bundle.gzipped)} bytes)`,
    baseline: `${kb(bundle.minified)} minified, before gzip`,
    ratio: null,
    target: "<= 15 KB",
    met: bundle.gzipped <= BUNDLE_TARGET,
    notes: ["esbuild bundle of src/index.ts (ESM, platform neutral, es2022, --minify) with openapi-fetch inlined; gzip level 9"],
    samples: {},
  });
  const seconds = (performance.now() - began) / 1000;
  const table = formatTable(rows);
  console.log(table);
  if (quick) {
    console.log(`quick run (${seconds.toFixed(1)} s): nothing written`);
    return;
  }
  const section = markdown(rows, seconds, loadStart);
  const old = existsSync(RESULTS) ? readFileSync(RESULTS, "utf8") : "";
  const at = old.indexOf(START);
  const end = at < 0 ? -1 : old.indexOf(END, at);
  const text = at >= 0 && end >= 0 ? old.slice(0, at) + section + old.slice(end + END.length) : `${old.trimEnd()}\n\n${section}\n`;
  writeFileSync(RESULTS, text);
  console.log(`wrote the TypeScript section of ${RESULTS} (${seconds.toFixed(0)} s)`);
}

const HEADERS = ["#", "figure", "measured", "baseline", "ratio", "target", "met?"];

function cells(row) {
  const ratio = row.ratio === null ? "-" : row.ratio.toFixed(3);
  return [row.number, row.title, row.measured, row.baseline, ratio, row.target, row.met ? "yes" : "NO"];
}

function formatTable(rows) {
  const all = [HEADERS, ...rows.map(cells)];
  const widths = HEADERS.map((_, i) => Math.max(...all.map((line) => line[i].length)));
  const lines = all.map((line) =>
    line
      .map((cell, i) => cell.padEnd(widths[i]))
      .join("  ")
      .trimEnd(),
  );
  lines.splice(1, 0, widths.map((w) => "-".repeat(w)).join("  "));
  return lines.join("\n");
}

function markdown(rows, seconds, loadStart) {
  const now = new Date().toISOString().slice(0, 16).replace("T", " ");
  const version = JSON.parse(readFileSync(join(JS, "package.json"), "utf8")).version;
  const out = [
    START,
    "## TypeScript SDK",
    "",
    `Written by \`npm run bench\` in \`js/\` on ${now} UTC; the run took ${seconds.toFixed(0)} s. \`npm run bench -- --quick\` ` +
      "is the smoke run inside `nox -s js` and writes nothing. The server is `benchmarks/_canned_server.py` in its own " +
      "process (recorded real responses, no work per request). Every timed figure is the median of interleaved rounds' " +
      "ratios (the order alternates every round); the baseline is the platform `fetch` with `JSON.parse` on the same server.",
    "",
    `* **Node**: ${process.version} (${os.cpus()[0]?.model ?? "unknown CPU"}, ${os.cpus().length} cores)`,
    `* **load average (1/5/15 min)**: ${loadStart} at the start, ${os
      .loadavg()
      .map((v) => v.toFixed(2))
      .join("/")} at the end`,
    `* **gopherqueue (npm)**: ${version}`,
    "",
    `| ${HEADERS.join(" | ")} |`,
    `|${"---|".repeat(HEADERS.length)}`,
    ...rows.map((row) => `| ${cells(row).join(" | ")} |`),
    "",
  ];
  for (const row of rows) {
    out.push(`### ${row.number}. ${row.title}`, "");
    for (const note of row.notes) out.push(`* ${note}`);
    for (const [name, values] of Object.entries(row.samples)) {
      out.push(`* samples \`${name}\`: ${values.map((v) => fmt(v, v < 10 ? 3 : 0)).join(", ")}`);
    }
    out.push("");
  }
  out.push(END);
  return out.join("\n");
}

await main();
