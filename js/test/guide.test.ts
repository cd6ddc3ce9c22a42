// The guide's TypeScript snippets (examples/guide/*.ts) run as written: each is compiled
// as it is and run as its own Node process that imports "gopherqueue" from the built package
// (dist/, by the package's self-reference), against the embedded server. The snippets keep the
// guide's "http://localhost:8080"; a preloaded module sends those requests to the server.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { after, before, beforeEach, test } from "node:test";
import { fileURLToPath } from "node:url";
import { transform } from "esbuild";
import { GopherQueue } from "../src/index.js";
import { EmbeddedServer } from "./support/server.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const OUT = `${ROOT}build/guide/`;
const PRELOAD = `${ROOT}test/support/redirect-fetch.mjs`;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

let server: EmbeddedServer;
before(async () => {
  server = await EmbeddedServer.start();
});
after(() => server.stop());
beforeEach(() => server.reset());

function snippet(name: string): string {
  const text = readFileSync(`${ROOT}examples/guide/${name}.ts`, "utf8");
  const body = text.split("// --- guide snippet ---\n")[1]?.split("// --- end of guide snippet ---")[0];
  assert.ok(body, `${name}.ts has the guide snippet markers`);
  return body;
}

async function compile(name: string): Promise<string> {
  mkdirSync(OUT, { recursive: true });
  const source = readFileSync(`${ROOT}examples/guide/${name}.ts`, "utf8");
  const { code } = await transform(source, { loader: "ts", format: "esm", target: "es2022" });
  const file = `${OUT}${name}.mjs`;
  writeFileSync(file, code);
  return file;
}

function start(file: string) {
  return spawn(process.execPath, ["--import", PRELOAD, file], {
    env: { ...process.env, GQ_GUIDE_URL: server.url },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

async function run(name: string): Promise<string> {
  const child = start(await compile(name));
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => (out += d));
  child.stderr.on("data", (d: Buffer) => (err += d));
  const code = await new Promise((resolve) => child.on("exit", resolve));
  assert.equal(code, 0, `${name}: ${err}`);
  return out;
}

test("the snippets are the guide's text, where the guide is at hand", () => {
  const guide = [`${ROOT}../../shared/seed/SDK_GUIDE.md`, `${ROOT}../shared/seed/SDK_GUIDE.md`, "/work/shared/seed/SDK_GUIDE.md"].find(
    existsSync,
  );
  if (guide === undefined) return; // a clone without shared/: the snippets are checked where it exists
  const text = readFileSync(guide, "utf8");
  for (const name of ["basic_usage", "with_api_key", "sse_events", "batch", "stats"]) {
    assert.ok(text.includes(`\`\`\`typescript\n${snippet(name)}\`\`\``), `${name}.ts differs from the guide`);
  }
});

test("Basic Usage", async () => {
  const out = await run("basic_usage");
  assert.match(out, new RegExp(`^Created job: ${UUID.source}\nJob completed successfully!\n$`));
  assert.equal(await server.jobCount(), 1);
});

test("With API Key", async () => {
  assert.equal(await run("with_api_key"), "Connected: true\n");
});

test("Batch Job Submission", async () => {
  assert.equal(await run("batch"), "Accepted: 2\n");
  assert.equal(await server.jobCount(), 2);
});

test("Queue Statistics", async () => {
  const gq = new GopherQueue(server.url);
  await gq.submit("email", { to: "a@example.com" }, { delay: 60_000 });
  assert.match(await run("stats"), /^Pending: \d+, Running: \d+\n$/);
});

test("SSE Real-Time Events", async () => {
  const child = start(await compile("sse_events"));
  const lines = createInterface({ input: child.stdout });
  const gq = new GopherQueue(server.url);
  const seen: string[] = [];
  let id = "";
  for await (const line of lines) {
    seen.push(line);
    if (line.startsWith("connected:")) {
      await gq.submit("sleep", 0);
      id = (await gq.submit("email", { to: "user@example.com" })).id;
    }
    if (line === `job.created: ${id}`) break;
  }
  child.kill();
  assert.deepEqual(seen, ["connected: undefined", `job.created: ${id}`]);
});
