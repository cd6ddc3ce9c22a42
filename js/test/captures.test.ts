// Contract: every capture of the real server whose request the SDK makes is replayed through
// a mocked fetch; the SDK sends that method and path, and maps the reply as the protocol says
// (models for 2xx, the typed error for each status and body, APIConnectionError for no reply).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import {
  APIConnectionError,
  APIStatusError,
  ConflictError,
  GopherQueue,
  JobNotFoundError,
  NotFoundError,
  ResultNotReadyError,
  SSEDecoder,
  UnexpectedResponseError,
} from "../src/index.js";
import { CAPTURES, type Capture, loadCaptures } from "./support/captures.js";

const UUID = "[0-9a-fA-F{}:urn-]+";
const ID = "3f0e2c1a-7d5b-4c3e-9a8f-1b2c3d4e5f60";
const JOB = {
  id: ID,
  type: "echo",
  state: "failed",
  priority: 2,
  attempt: 1,
  max_attempts: 3,
  created_at: "2026-11-28T19:12:17Z",
  updated_at: "2026-11-28T19:12:17Z",
};

type Run = (gq: GopherQueue) => Promise<unknown>;
const ROUTES: [string, RegExp, string, Run][] = [
  ["POST", /^\/api\/v1\/jobs$/, "/api/v1/jobs", (gq) => gq.submit("echo", 1)],
  ["GET", /^\/api\/v1\/jobs(\?.*)?$/, "/api/v1/jobs", (gq) => gq.list()],
  ["POST", /^\/api\/v1\/jobs\/batch$/, "/api/v1/jobs/batch", (gq) => gq.submitBatch([{ type: "echo" }])],
  ["GET", new RegExp(`^/api/v1/jobs/${UUID}$`), `/api/v1/jobs/${ID}`, (gq) => gq.get(ID, { includeResult: false })],
  ["DELETE", new RegExp(`^/api/v1/jobs/${UUID}$`), `/api/v1/jobs/${ID}`, (gq) => gq.delete(ID)],
  ["POST", new RegExp(`^/api/v1/jobs/${UUID}/wait$`), `/api/v1/jobs/${ID}/wait`, (gq) => gq.wait(ID, { timeout: 1 })],
  ["POST", new RegExp(`^/api/v1/jobs/${UUID}/cancel$`), `/api/v1/jobs/${ID}/cancel`, (gq) => gq.cancel(ID)],
  ["POST", new RegExp(`^/api/v1/jobs/${UUID}/retry$`), `/api/v1/jobs/${ID}/retry`, (gq) => gq.retry(ID)],
  ["GET", new RegExp(`^/api/v1/jobs/${UUID}/result$`), `/api/v1/jobs/${ID}/result`, (gq) => gq.result(ID)],
  ["GET", /^\/api\/v1\/stats$/, "/api/v1/stats", (gq) => gq.stats()],
  ["GET", /^\/health$/, "/health", (gq) => gq.health()],
  ["GET", /^\/ready$/, "/ready", (gq) => gq.ready()],
  ["GET", /^\/live$/, "/live", (gq) => gq.live()],
];

function replay(capture: Capture, path: string, seen: string[]): typeof fetch {
  return async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const url = new URL(request.url);
    seen.push(`${request.method} ${url.pathname}`);
    if (`${request.method} ${url.pathname}` !== `${capture.method.toUpperCase()} ${path}`) {
      return Response.json(JOB); // retry looks at the job first
    }
    if (capture.status === null)
      throw new TypeError("fetch failed", { cause: Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" }) });
    const body = capture.status === 204 || capture.body === "" ? null : capture.body;
    return new Response(body, { status: capture.status, headers: capture.headers });
  };
}

function routeOf(capture: Capture): [string, Run] | null {
  if (capture.name.startsWith("249") || capture.name.startsWith("257") || capture.name.startsWith("259") || capture.name.startsWith("250"))
    return null;
  for (const [method, pattern, path, run] of ROUTES) {
    if (capture.method === method && pattern.test(capture.target)) return [path, run];
  }
  return null;
}

function envelope(body: string): { code?: string; message?: string } {
  try {
    return (JSON.parse(body) as { error?: { code?: string; message?: string } }).error ?? {};
  } catch {
    return {};
  }
}

let replayed = 0;
for (const capture of loadCaptures()) {
  const route = routeOf(capture);
  if (route === null) continue;
  const [path, run] = route;
  replayed++;
  test(`capture ${capture.name}`, async () => {
    const seen: string[] = [];
    const gq = new GopherQueue("http://gq.test", { fetch: replay(capture, path, seen), maxRetries: 0 });
    const outcome = await run(gq).then(
      (value) => ({ value, error: null as unknown }),
      (error: unknown) => ({ value: null, error }),
    );
    assert.ok(seen.includes(`${capture.method} ${path}`), `the SDK sent ${seen.join(", ")}`);
    const status = capture.status;
    if (status === null) {
      assert.ok(outcome.error instanceof APIConnectionError, String(outcome.error));
      return;
    }
    const contentType = capture.headers.find(([k]) => k.toLowerCase() === "content-type")?.[1] ?? "";
    if (status >= 200 && status < 300) {
      if (outcome.error !== null) throw outcome.error;
      return;
    }
    assert.ok(outcome.error instanceof APIStatusError, `expected an APIStatusError, got ${String(outcome.error)}`);
    const error = outcome.error;
    assert.equal(error.status, status);
    const { code, message } = envelope(capture.body);
    if (!contentType.includes("json")) {
      assert.ok(error instanceof UnexpectedResponseError || status >= 500, error.constructor.name);
      return;
    }
    assert.equal(error.code, code ?? null);
    if (status === 404) {
      assert.ok(error instanceof NotFoundError);
      if (message === "job not found") assert.ok(error instanceof JobNotFoundError);
      if (message === "result not found") assert.ok(error instanceof ResultNotReadyError);
    }
    if (status === 409 || (status === 500 && capture.name.includes("retry")))
      assert.ok(error instanceof ConflictError, error.constructor.name);
  });
}

test("the captures were found and most are replayed", () => {
  assert.ok(replayed >= 120, `replayed ${replayed}`);
});

test("the SSE captures decode into the events they hold", () => {
  for (const name of ["300_sse_all", "301_sse_job_filter_X", "302_sse_long_45s", "303_sse_job_filter_bogus"]) {
    const raw = readFileSync(`${CAPTURES}${name}.raw`);
    const text = raw.toString("latin1");
    const start = text.indexOf("\r\n\r\n") + 4;
    const stream = raw.subarray(start);
    const decoder = new SSEDecoder();
    const events = [];
    // Fed in odd-sized pieces: decoding must not depend on where chunks split.
    for (let i = 0; i < stream.length; i += 7) events.push(...decoder.feed(stream.subarray(i, i + 7)));
    events.push(...decoder.close());
    assert.equal(events[0]?.event, "connected", name);
    const expected = (stream.toString("utf8").match(/^event: /gm) ?? []).length;
    assert.equal(events.length, expected, name);
    for (const e of events.slice(1)) {
      const data = JSON.parse(e.data) as { id: string };
      assert.equal(e.id, data.id, name);
    }
  }
});
