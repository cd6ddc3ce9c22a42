// A CPU profile aid for issue 16: `node --cpu-prof scripts/profile-real.mjs sdk|raw [calls]` runs
// sequential get + submit calls against the canned server (benchmarks/_canned_server.py), either
// through the SDK or through bare fetch + JSON.parse, and prints microseconds per call.
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { GopherQueue } from "../dist/index.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const JOB_ID = "3097c2bb-b3be-476f-9d4d-f97f9eae8aa9";
const PAYLOAD = { hello: "world", n: 1 };
const [side = "sdk", count = "5000"] = process.argv.slice(2);
const child = spawn(process.env.GQ_PYTHON || "python3", ["-m", "benchmarks._canned_server"], {
  cwd: ROOT,
  stdio: ["pipe", "pipe", "inherit"],
});
const url = await new Promise((resolve) => {
  let seen = "";
  child.stdout.on("data", (chunk) => {
    seen += chunk;
    const m = /^PORT (\d+)\n/.exec(seen);
    if (m) resolve(`http://127.0.0.1:${m[1]}`);
  });
});
const client = new GopherQueue(url, { maxRetries: 0 });
const headers = { "Content-Type": "application/json" };
const calls =
  side === "sdk"
    ? { get: () => client.get(JOB_ID), submit: () => client.submit("echo", PAYLOAD) }
    : {
        get: async () => JSON.parse(await (await fetch(`${url}/api/v1/jobs/${JOB_ID}`)).text()),
        submit: async () =>
          JSON.parse(
            await (
              await fetch(`${url}/api/v1/jobs`, { method: "POST", headers, body: JSON.stringify({ type: "echo", payload: PAYLOAD }) })
            ).text(),
          ),
      };
for (const [name, call] of Object.entries(calls)) {
  for (let i = 0; i < 300; i++) await call();
  const started = performance.now();
  for (let i = 0; i < Number(count); i++) await call();
  console.log(`${side} ${name}: ${(((performance.now() - started) * 1000) / Number(count)).toFixed(1)} us/call`);
}
child.stdin.end();
