// The browser test: the embedded queue, `next start` against it, and Debian's Chromium driven by
// playwright-core. Run by `nox -s nextjs` after `next build`; on its own (from examples/nextjs):
//
//   GQ_PYTHON=/path/to/python-with-gopherqueue-testing npm run test:e2e
//
// Environment: GQ_PYTHON (default python3), CHROMIUM_PATH (default /usr/bin/chromium),
// E2E_OUTPUT (default test-results/: screenshots and the app server's log).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createWriteStream, existsSync, mkdirSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { createInterface } from "node:readline";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const APP_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const OUTPUT = path.resolve(process.env.E2E_OUTPUT ?? path.join(APP_DIR, "test-results"));
const PYTHON = process.env.GQ_PYTHON ?? "python3";
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const SUBMITTED = new RegExp(`^Job (${UUID}) submitted!$`);

/** A child process that is ended and awaited in `after`. */
function watchExit(child) {
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
}

/** The embedded queue (e2e/queue_server.py), driven one command at a time over stdin/stdout. */
async function startQueue() {
  const child = spawn(PYTHON, [path.join(APP_DIR, "e2e", "queue_server.py")], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const exited = watchExit(child);
  const lines = createInterface({ input: child.stdout });
  const waiting = [];
  lines.on("line", (line) => waiting.shift()?.resolve(JSON.parse(line)));
  const nextLine = () =>
    new Promise((resolve, reject) => {
      waiting.push({ resolve, reject });
    });
  exited.then(({ code, signal }) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`queue server exited (${code ?? signal})`));
  });
  const { url } = await nextLine();
  return {
    url,
    /** Send one command and return its JSON answer. */
    async command(name) {
      const answer = nextLine();
      child.stdin.write(`${name}\n`);
      const reply = await answer;
      assert.equal(reply.error, undefined, reply.error);
      return reply;
    },
    async jobs() {
      return (await this.command("jobs")).jobs;
    },
    async close() {
      child.stdin.end();
      await exited;
    },
  };
}

/** A TCP port nobody listens on right now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** `next start` on a free port against the queue; resolves once Next.js says it is ready. */
async function startApp(queueUrl) {
  if (!existsSync(path.join(APP_DIR, ".next", "BUILD_ID"))) {
    throw new Error("no production build: run `npm run build` (or `nox -s nextjs`) first");
  }
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [path.join(APP_DIR, "node_modules", "next", "dist", "bin", "next"), "start", "--port", String(port), "--hostname", "127.0.0.1"],
    {
      cwd: APP_DIR,
      env: { ...process.env, GOPHERQUEUE_URL: queueUrl, NEXT_TELEMETRY_DISABLED: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const exited = watchExit(child);
  const log = createWriteStream(path.join(OUTPUT, "next.log"));
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).on("line", (line) => {
      if (line.includes("Ready")) resolve();
    });
    exited.then(({ code, signal }) => reject(new Error(`next start exited (${code ?? signal}); see ${OUTPUT}/next.log`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

let queue;
let app;
let browser;
const pageErrors = [];

before(async () => {
  mkdirSync(OUTPUT, { recursive: true });
  queue = await startQueue();
  app = await startApp(queue.url);
  // Debian's Chromium, not a Playwright browser download; --no-sandbox because CI runs as root.
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox"] });
});

after(async () => {
  await browser?.close();
  await app?.close();
  await queue?.close();
});

/** A fresh page on the app's home page; uncaught page errors are collected and fail the last test. */
async function openHome() {
  const page = await browser.newPage();
  page.on("pageerror", (err) => pageErrors.push(err));
  await page.goto(app.url);
  return page;
}

/** The job id from the page's `Job <uuid> submitted!` line, once it shows. */
async function submittedJobId(page) {
  const line = page.getByTestId("submission").filter({ hasText: SUBMITTED });
  await line.waitFor();
  return SUBMITTED.exec(await line.textContent())[1];
}

/** The JSON bodies of the POSTs the page sends to /api/queue. */
function recordSubmissions(page) {
  const bodies = [];
  page.on("request", (request) => {
    if (request.method() === "POST" && new URL(request.url()).pathname === "/api/queue") {
      bodies.push(JSON.parse(request.postData()));
    }
  });
  return bodies;
}

/** Resolves when `count` POST /api/queue answers (or failures) have come back to the page. */
function submissionsSettled(page, count) {
  let seen = 0;
  return new Promise((resolve) => {
    const done = (request) => {
      if (request.method() === "POST" && new URL(request.url()).pathname === "/api/queue" && ++seen === count) {
        resolve();
      }
    };
    page.on("requestfinished", done);
    page.on("requestfailed", done);
  });
}

const button = (page) => page.getByRole("button", { name: "Start Background Job" });

test("a click submits one email_workflow job and the page follows it to completed", async () => {
  await queue.command("hold");
  const page = await openHome();
  const sent = recordSubmissions(page);
  await button(page).click();
  const jobId = await submittedJobId(page);

  // The handler holds at 40 % until released, so the page must show the job mid-way.
  await page.getByTestId("job").filter({ hasText: "running · 40% · rendering the email" }).waitFor();
  await queue.command("release");
  await page.getByTestId("job-state").filter({ hasText: /^completed$/ }).waitFor();
  assert.equal(await page.getByTestId("job-progress").textContent(), "100%");
  await page.screenshot({ path: path.join(OUTPUT, "completed.png"), fullPage: true });

  const jobs = await queue.jobs();
  assert.equal(jobs.length, 1);
  const [job] = jobs;
  assert.equal(job.id, jobId);
  assert.equal(job.state, "completed");
  assert.equal(job.priority, 1);
  assert.equal(sent.length, 1);
  assert.deepEqual(job.payload, sent[0]);
  assert.match(sent[0].requestId, new RegExp(`^${UUID}$`));
  await page.close();
});

test("two clicks before the first answer send one requestId twice and make one job", async () => {
  const page = await openHome();
  const sent = recordSubmissions(page);
  const settled = submissionsSettled(page, 2);
  const before = (await queue.jobs()).length;
  // Both clicks in one task, before React re-renders and disables the button: the race a
  // double click on a slow connection can win.
  await button(page).evaluate((b) => {
    b.click();
    b.click();
  });
  await settled;
  const jobId = await submittedJobId(page);
  assert.equal(sent.length, 2);
  assert.equal(sent[0].requestId, sent[1].requestId);
  const jobs = await queue.jobs();
  assert.equal(jobs.length, before + 1);
  assert.equal(jobs.at(-1).id, jobId);
  await page.close();
});

test("a real double click makes one job", async () => {
  const page = await openHome();
  const sent = recordSubmissions(page);
  const before = (await queue.jobs()).length;
  await button(page).dblclick();
  const jobId = await submittedJobId(page);
  await page.getByTestId("job-state").filter({ hasText: /^completed$/ }).waitFor();
  const jobs = await queue.jobs();
  assert.equal(jobs.length, before + 1);
  assert.equal(jobs.at(-1).id, jobId);
  assert.ok(sent.length >= 1 && sent.every((body) => body.requestId === sent[0].requestId));
  await page.close();
});

test("a POST whose answer was lost is retried with its requestId and makes no second job", async () => {
  const page = await openHome();
  const sent = recordSubmissions(page);
  const before = (await queue.jobs()).length;
  let lostJobId;
  // The first POST reaches the app (and the queue), then its answer is dropped on the way back.
  await page.route("**/api/queue", async (route) => {
    if (lostJobId === undefined) {
      const response = await route.fetch();
      lostJobId = (await response.json()).jobId;
      await route.abort("connectionreset");
    } else {
      await route.continue();
    }
  });
  await button(page).click();
  await page.getByTestId("error").filter({ hasText: "The app server could not be reached." }).waitFor();
  assert.match(lostJobId, new RegExp(`^${UUID}$`));
  assert.equal((await queue.jobs()).length, before + 1);

  await button(page).click();
  assert.equal(await submittedJobId(page), lostJobId);
  assert.equal(await page.getByTestId("error").count(), 0);
  assert.equal(sent.length, 2);
  assert.equal(sent[0].requestId, sent[1].requestId);
  assert.equal((await queue.jobs()).length, before + 1);
  await page.close();
});

test("the routes answer bad input and unknown jobs with typed replies", async () => {
  const post = (body) =>
    fetch(`${app.url}/api/queue`, { method: "POST", headers: { "Content-Type": "application/json" }, body });

  const unknown = await fetch(`${app.url}/api/queue/${randomUUID()}`);
  assert.equal(unknown.status, 404);
  assert.equal((await unknown.json()).code, "not_found");

  const malformed = await fetch(`${app.url}/api/queue/not-a-job-id`);
  assert.equal(malformed.status, 400);
  assert.equal((await malformed.json()).code, "bad_request");

  for (const body of ["{not json", "[]", JSON.stringify({ action: "x" })]) {
    const res = await post(body);
    assert.equal(res.status, 400, body);
    assert.equal((await res.json()).code, "bad_request", body);
  }

  // A client that retries its POST (same requestId) gets the same job back.
  const before = (await queue.jobs()).length;
  const body = JSON.stringify({ action: "generate_report", requestId: randomUUID() });
  const first = await (await post(body)).json();
  const again = await (await post(body)).json();
  assert.equal(first.success, true);
  assert.equal(again.jobId, first.jobId);
  assert.equal((await queue.jobs()).length, before + 1);

  const status = await (await fetch(`${app.url}/api/queue/${first.jobId}`)).json();
  assert.equal(status.id, first.jobId);
  assert.ok(["pending", "running", "completed"].includes(status.state), status.state);
  assert.equal(typeof status.progress, "number");
});

test("with the queue stopped the page shows a clear error and keeps working", async () => {
  const page = await openHome();
  await queue.command("stop");
  await button(page).click();
  await page.getByTestId("error").filter({ hasText: "The job queue is unreachable; try again shortly." }).waitFor();
  await page.screenshot({ path: path.join(OUTPUT, "queue-down.png"), fullPage: true });
  // The page is still the app (no error screen) and the button can be used again.
  assert.equal(await page.getByRole("heading", { name: "GopherQueue + Next.js" }).count(), 1);
  assert.equal(await button(page).isEnabled(), true);
  assert.equal(await page.getByTestId("submission").textContent(), "");
  await page.close();

  for (const [method, url] of [
    ["POST", `${app.url}/api/queue`],
    ["GET", `${app.url}/api/queue/${randomUUID()}`],
  ]) {
    const res = await fetch(url, {
      method,
      headers: { "Content-Type": "application/json" },
      body: method === "POST" ? JSON.stringify({ requestId: randomUUID() }) : undefined,
    });
    const text = await res.text();
    assert.equal(res.status, 503, `${method} ${url}: ${text}`);
    assert.deepEqual(JSON.parse(text), {
      success: false,
      code: "queue_unavailable",
      error: "The job queue is unreachable; try again shortly.",
    });
  }
  assert.deepEqual(pageErrors, []);
});
