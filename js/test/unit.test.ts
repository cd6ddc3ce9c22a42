// Unit tests on a mocked fetch: what each operation sends, every error mapping, retries with
// one idempotency key, deadlines and aborts, the conversions, the SSE decoder's rules and caps.
import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { describe, test } from "node:test";
import { inspect } from "node:util";
import {
  APIConnectionError,
  APITimeoutError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  BatchConflictError,
  ConflictError,
  GopherQueue,
  JobNotFoundError,
  NotFoundError,
  OutputDecodeError,
  PermissionDeniedError,
  RateLimitError,
  ResultNotReadyError,
  RetryPolicy,
  ServerError,
  SSEDecoder,
  SSELimitError,
  UnexpectedResponseError,
  ValidationError,
  VERSION,
} from "../src/index.js";
import { retryAfterMillis } from "../src/retry.js";

const ID = "3f0e2c1a-7d5b-4c3e-9a8f-1b2c3d4e5f60";
const JOB = {
  id: ID,
  type: "echo",
  state: "completed",
  priority: 2,
  attempt: 1,
  max_attempts: 3,
  created_at: "2026-11-28T19:12:17.24631043Z",
  updated_at: "2026-11-28T19:12:17.323585975Z",
  completed_at: "2026-11-28T19:12:17.323585895Z",
};
const RESULT = {
  job_id: ID,
  success: true,
  output: "eyJoZWxsbyI6IndvcmxkIiwibiI6MX0=",
  duration: 289803,
  completed_at: "2026-11-28T19:12:17.3236+05:30",
};

interface Sent {
  method: string;
  url: URL;
  headers: Headers;
  body: unknown;
}
type Answer = Response | Error | ((sent: Sent) => Response | Error);

/** A fetch that records requests and answers from a list (the last answer repeats). */
function mock(...answers: Answer[]) {
  const sent: Sent[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request ? input : new Request(input, init);
    const text = request.method === "GET" || request.method === "DELETE" ? "" : await request.text();
    const s: Sent = {
      method: request.method,
      url: new URL(request.url),
      headers: request.headers,
      body: text ? JSON.parse(text) : undefined,
    };
    sent.push(s);
    let answer = answers[Math.min(sent.length - 1, answers.length - 1)] as Answer;
    if (typeof answer === "function") answer = answer(s);
    if (answer instanceof Error) throw answer;
    return answer.clone();
  };
  return { fetch: fetch as typeof globalThis.fetch, sent };
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  Response.json(body, { status, headers: { "X-Request-Id": "rid-1", ...headers } });
const envelope = (status: number, code: string, message: string, headers: Record<string, string> = {}) =>
  json({ error: { code, message } }, status, headers);
const dropped = () => new TypeError("fetch failed", { cause: Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" }) });
const fast = { backoffBase: 0, backoffMax: 0 };

function client(fetch: typeof globalThis.fetch, options: ConstructorParameters<typeof GopherQueue>[1] = {}) {
  return new GopherQueue("http://gq.test/", { fetch, retry: fast, ...options });
}

describe("requests", () => {
  test("the SDK's calls hand fetch the URL and init, not a Request (the bench's per-call cost)", async () => {
    const calls: [unknown, RequestInit | undefined][] = [];
    const fetch = (async (input: unknown, init?: RequestInit) => {
      calls.push([input, init]);
      return json({ ...JOB, state: "pending" }, init?.method === "POST" ? 201 : 200);
    }) as typeof globalThis.fetch;
    const gq = client(fetch, { apiKey: "k-9" });
    await gq.get(ID);
    await gq.submit("echo", { n: 1 });
    assert.equal(calls.length, 2);
    const [[getUrl, getInit], [postUrl, postInit]] = calls as [[unknown, RequestInit], [unknown, RequestInit]];
    assert.equal(getUrl, `http://gq.test/api/v1/jobs/${ID}`);
    assert.equal(getInit.method, "GET");
    assert.equal(getInit.body, undefined);
    assert.equal(getInit.redirect, "manual");
    assert.ok(getInit.signal instanceof AbortSignal);
    assert.equal(new Headers(getInit.headers).get("x-api-key"), "k-9");
    assert.equal(postUrl, "http://gq.test/api/v1/jobs");
    assert.equal(postInit.method, "POST");
    assert.equal(typeof postInit.body, "string");
    const headers = new Headers(postInit.headers);
    assert.equal(headers.get("content-type"), "application/json");
    assert.equal(headers.get("user-agent"), `gopherqueue-js/${VERSION}`);
    assert.deepEqual(
      { ...JSON.parse(postInit.body as string), idempotency_key: "k" },
      { type: "echo", payload: { n: 1 }, idempotency_key: "k" },
    );
  });

  test("every retry of a submit sends the same body, byte for byte", async () => {
    const bodies: unknown[] = [];
    let n = 0;
    const fetch = (async (_input: unknown, init?: RequestInit) => {
      bodies.push(init?.body);
      n++;
      if (n === 1) throw dropped();
      if (n === 2) return envelope(503, "service_unavailable", "busy");
      return json(JOB, 200);
    }) as typeof globalThis.fetch;
    await client(fetch).submit("echo", { n: 1 }, { tags: { a: "b" } });
    assert.equal(bodies.length, 3);
    assert.equal(typeof bodies[0], "string");
    assert.ok(
      bodies.every((b) => b === bodies[0]),
      bodies.join(" / "),
    );
  });

  test("client.raw still builds Requests with the base URL, key and fetch (middleware works)", async () => {
    const seen: Request[] = [];
    const fetch = (async (input: unknown) => {
      assert.ok(input instanceof Request);
      seen.push(input);
      return json({ queue: { total_jobs: 3 } });
    }) as typeof globalThis.fetch;
    const gq = client(fetch, { apiKey: "k-raw" });
    let intercepted = "";
    gq.raw.use({
      onRequest({ request }) {
        intercepted = request.url;
      },
    });
    const { data, response } = await gq.raw.GET("/api/v1/stats");
    assert.equal(response.status, 200);
    assert.equal((data as { queue: { total_jobs: number } }).queue.total_jobs, 3);
    assert.equal(seen[0]?.url, "http://gq.test/api/v1/stats");
    assert.equal(seen[0]?.headers.get("x-api-key"), "k-raw");
    assert.equal(intercepted, "http://gq.test/api/v1/stats");
    // The raw client's middleware is its own: the SDK's calls do not pass through it.
    intercepted = "";
    await gq.stats().catch(() => undefined);
    assert.equal(intercepted, "");
  });

  test("submit sends the wire fields, a generated idempotency key and the User-Agent", async () => {
    const m = mock(json({ ...JOB, state: "pending" }, 201));
    const job = await client(m.fetch, { apiKey: "k-123" }).submit(
      "email",
      { to: "a@b.c" },
      {
        priority: 1,
        delay: 1500,
        timeout: "10m",
        maxAttempts: 5,
        correlationId: "c",
        tags: { t: "1" },
        scheduledAt: new Date("2030-01-01T00:00:00Z"),
      },
    );
    const s = m.sent[0] as Sent;
    assert.equal(s.method, "POST");
    assert.equal(s.url.pathname, "/api/v1/jobs");
    assert.equal(s.headers.get("user-agent"), `gopherqueue-js/${VERSION}`);
    assert.equal(s.headers.get("x-api-key"), "k-123");
    const body = s.body as Record<string, unknown>;
    assert.match(String(body.idempotency_key), /^gq-[0-9a-f-]{36}$/);
    delete body.idempotency_key;
    assert.deepEqual(body, {
      type: "email",
      payload: { to: "a@b.c" },
      priority: 1,
      delay: "1500ms",
      scheduled_at: "2030-01-01T00:00:00.000Z",
      timeout: "10m",
      max_attempts: 5,
      correlation_id: "c",
      tags: { t: "1" },
    });
    assert.equal(job.state, "pending");
    assert.equal(job.replayed, false);
  });

  test("a retried submit reuses its idempotency key", async () => {
    const m = mock(dropped(), envelope(503, "service_unavailable", "busy"), json(JOB, 200));
    const job = await client(m.fetch).submit("echo", 1);
    assert.equal(m.sent.length, 3);
    const keys = new Set(m.sent.map((s) => (s.body as { idempotency_key: string }).idempotency_key));
    assert.equal(keys.size, 1);
    // The 200 after a lost response is our own first attempt, not a replay.
    assert.equal(job.replayed, false);
  });

  test("get fetches the result of a finished job: base64 decoded, nanoseconds in ms", async () => {
    const m = mock((s) => (s.url.pathname.endsWith("/result") ? json(RESULT) : json(JOB)));
    const job = await client(m.fetch).get(ID.toUpperCase());
    assert.deepEqual(
      m.sent.map((s) => s.url.pathname),
      [`/api/v1/jobs/${ID}`, `/api/v1/jobs/${ID}/result`],
    );
    assert.deepEqual(job.result?.json(), { hello: "world", n: 1 });
    assert.equal(job.result?.duration, 0.289803);
    assert.equal(job.result?.completedAt.toISOString(), "2026-11-28T13:42:17.323Z");
    assert.equal(job.createdAt.toISOString(), "2026-11-28T19:12:17.246Z");
    assert.equal(job.toJSON().maxAttempts, 3);
  });

  test("json() on output that is not JSON is OutputDecodeError", async () => {
    const m = mock(json({ ...RESULT, output: btoa("not json") }));
    const result = await client(m.fetch).result(ID);
    assert.equal(result.text(), "not json");
    assert.throws(() => result.json(), OutputDecodeError);
  });

  test("wait is chunked below the write timeout and loops to the deadline", async () => {
    const m = mock(json({ id: ID, state: "running", completed: false, timed_out: true }));
    const outcome = await client(m.fetch, { waitChunk: 20 }).wait(ID, { timeout: 70 });
    assert.equal(outcome.timedOut, true);
    assert.ok(m.sent.length >= 3, `${m.sent.length} polls`);
    for (const s of m.sent) assert.match(String((s.body as { timeout: string }).timeout), /^\d+ms$|^0s$/);
    assert.equal(((m.sent[0] as Sent).body as { timeout: string }).timeout, "20ms");
  });

  test("the default wait chunk is 28 s, below the server's 30 s cut", async () => {
    const m = mock(json({ id: ID, state: "completed", completed: true, success: true, result: RESULT }));
    await client(m.fetch).wait(ID);
    assert.equal(((m.sent[0] as Sent).body as { timeout: string }).timeout, "28s");
  });

  test("wait retries a dropped long poll", async () => {
    const m = mock(dropped(), json({ id: ID, state: "completed", completed: true, success: true, result: RESULT }));
    const outcome = await client(m.fetch).wait(ID, { timeout: 5000 });
    assert.equal(outcome.success, true);
    assert.equal(m.sent.length, 2);
  });

  test("batch: camelCase items to wire fields, non-atomic chunked by 1000", async () => {
    const m = mock((s) => {
      const jobs = (s.body as { jobs: unknown[] }).jobs;
      return json(
        { total: jobs.length, accepted: jobs.length, rejected: 0, results: jobs.map((_, i) => ({ index: i, success: true, job: JOB })) },
        201,
      );
    });
    const result = await client(m.fetch).submitBatch(Array.from({ length: 2500 }, () => ({ type: "echo", maxAttempts: 1 })));
    assert.deepEqual(
      m.sent.map((s) => (s.body as { jobs: unknown[] }).jobs.length),
      [1000, 1000, 500],
    );
    assert.equal(result.total, 2500);
    assert.equal(result.results.at(-1)?.index, 2499);
    assert.equal(((m.sent[0] as Sent).body as { jobs: { max_attempts: number }[] }).jobs[0]?.max_attempts, 1);
    assert.equal(((m.sent[0] as Sent).body as { atomic: boolean }).atomic, false);
  });

  test("list sends the state and type filters", async () => {
    const m = mock(json({ count: 1, jobs: [JOB] }));
    const jobs = await client(m.fetch).list({ state: "completed", type: "echo" });
    assert.equal(m.sent[0]?.url.search, "?state=completed&type=echo");
    assert.equal(jobs[0]?.id, ID);
  });

  test("cancel and retry send their bodies", async () => {
    const m = mock(json({ ...JOB, state: "cancelled" }));
    await client(m.fetch).cancel(ID, { reason: "r", force: true });
    assert.deepEqual(m.sent[0]?.body, { force: true, reason: "r" });
    const r = mock(json({ ...JOB, state: "failed" }), json({ ...JOB, state: "pending" }));
    assert.equal((await client(r.fetch).retry(ID, { resetAttempts: true })).state, "pending");
    assert.deepEqual(r.sent[1]?.body, { reset_attempts: true });
  });

  test("delete expects 204; a 200 (DELETE /api/v1 answers that) is UnexpectedResponseError", async () => {
    await client(mock(new Response(null, { status: 204 })).fetch).delete(ID);
    await assert.rejects(client(mock(json({ name: "GopherQueue API" })).fetch).delete(ID), UnexpectedResponseError);
  });

  test("a lost delete response then 404 is the earlier attempt's success", async () => {
    const m = mock(dropped(), envelope(404, "not_found", "job not found"));
    await client(m.fetch).delete(ID);
    assert.equal(m.sent.length, 2);
  });

  test("a health 503 report is returned, not thrown", async () => {
    const report = {
      healthy: false,
      components: { store: { healthy: false, message: "down", latency: 1500000 } },
      timestamp: "2026-11-28T19:12:17Z",
    };
    const health = await client(mock(json(report, 503)).fetch).health();
    assert.equal(health.healthy, false);
    assert.equal(health.components.store?.latency, 1.5);
  });

  test("ready and live are false on 503", async () => {
    assert.equal(await client(mock(json({ ready: false }, 503)).fetch).ready(), false);
    assert.equal(await client(mock(json({ alive: true })).fetch).live(), true);
  });
});

describe("errors", () => {
  const cases: [string, Response, string, new (...a: never[]) => Error][] = [
    ["400", envelope(400, "invalid_request", "invalid JSON body"), "get", BadRequestError],
    ["401", envelope(401, "unauthorized", "invalid credentials"), "get", AuthenticationError],
    ["403", envelope(403, "forbidden", "no"), "get", PermissionDeniedError],
    ["404 job", envelope(404, "not_found", "job not found"), "get", JobNotFoundError],
    ["404 result", envelope(404, "not_found", "result not found"), "result", ResultNotReadyError],
    ["404 other", envelope(404, "not_found", "endpoint not found"), "get", NotFoundError],
    ["409", envelope(409, "conflict", "job cannot be cancelled"), "cancel", ConflictError],
    ["429", envelope(429, "rate_limited", "slow down"), "get", RateLimitError],
    ["500 retry", envelope(500, "internal_error", "job cannot be cancelled in current state"), "retry", ConflictError],
    ["500", envelope(500, "internal_error", "boom"), "get", ServerError],
    [
      "502 html",
      new Response("<html><body>502 Bad Gateway</body></html>", { status: 502, headers: { "content-type": "text/html" } }),
      "get",
      ServerError,
    ],
    [
      "404 text/plain",
      new Response("404 page not found\n", { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } }),
      "get",
      UnexpectedResponseError,
    ],
    [
      "301",
      new Response("<a href>Moved</a>", { status: 301, headers: { location: "/api/v1", "content-type": "text/html" } }),
      "get",
      UnexpectedResponseError,
    ],
    [
      "200 html",
      new Response("<html>proxy</html>", { status: 200, headers: { "content-type": "text/html" } }),
      "get",
      UnexpectedResponseError,
    ],
    ["200 wrong shape", json({ id: 5 }), "get", UnexpectedResponseError],
    [
      "200 truncated",
      new Response('{"id":"3f0e', { status: 200, headers: { "content-type": "application/json" } }),
      "get",
      UnexpectedResponseError,
    ],
  ];
  for (const [name, response, op, cls] of cases) {
    test(`${name} is ${cls.name}`, async () => {
      const gq = client(mock((s) => (op === "retry" && s.method === "GET" ? json({ ...JOB, state: "completed" }) : response)).fetch, {
        maxRetries: 0,
      });
      const call = op === "get" ? gq.get(ID) : op === "result" ? gq.result(ID) : op === "cancel" ? gq.cancel(ID) : gq.retry(ID);
      await assert.rejects(call, cls);
    });
  }

  test("status errors carry status, code, request id and the body", async () => {
    const error = await client(mock(envelope(409, "conflict", "job cannot be cancelled")).fetch)
      .cancel(ID)
      .catch((e: unknown) => e);
    assert.ok(error instanceof ConflictError);
    assert.equal(error.status, 409);
    assert.equal(error.code, "conflict");
    assert.equal(error.requestId, "rid-1");
    assert.equal(error.message, "409 conflict: job cannot be cancelled (request id rid-1)");
    assert.ok(error instanceof ValidationError === false);
  });

  test("an atomic batch's partial 500 is BatchConflictError with the index", async () => {
    const m = mock(envelope(500, "internal_error", "failed to create job 2: job already exists"));
    const error = await client(m.fetch, { maxRetries: 0 })
      .submitBatch([{ type: "a" }, { type: "b" }, { type: "c", idempotencyKey: "x" }], { atomic: true })
      .catch((e: unknown) => e);
    assert.ok(error instanceof BatchConflictError);
    assert.equal(error.index, 2);
  });

  test("connection failures are APIConnectionError after the retries", async () => {
    const m = mock(dropped());
    await assert.rejects(client(m.fetch).stats(), APIConnectionError);
    assert.equal(m.sent.length, 3);
  });

  test("409 and 400 are never retried; 500 only for GETs", async () => {
    const a = mock(envelope(409, "conflict", "no"));
    await assert.rejects(client(a.fetch).cancel(ID), ConflictError);
    assert.equal(a.sent.length, 1);
    const b = mock(envelope(500, "internal_error", "x"));
    await assert.rejects(client(b.fetch).submit("echo", 1), ServerError);
    assert.equal(b.sent.length, 1);
    const c = mock(envelope(500, "internal_error", "x"));
    await assert.rejects(client(c.fetch).stats(), ServerError);
    assert.equal(c.sent.length, 3);
  });

  test("a per-attempt timeout is APITimeoutError; the caller's signal is APIUserAbortError", async () => {
    const hang: typeof fetch = (_input, init) =>
      new Promise((_, reject) => {
        const signal = (_input instanceof Request ? _input.signal : init?.signal) as AbortSignal;
        signal.addEventListener("abort", () => reject(signal.reason));
      });
    await assert.rejects(client(hang, { timeout: 20, maxRetries: 0 }).stats(), APITimeoutError);
    const controller = new AbortController();
    const pending = client(hang).stats({ signal: controller.signal });
    controller.abort();
    await assert.rejects(pending, APIUserAbortError);
  });

  test("the total deadline stops retries", async () => {
    const m = mock(envelope(503, "service_unavailable", "busy", { "Retry-After": "10" }));
    await assert.rejects(client(m.fetch, { deadline: 1000 }).stats(), ServerError);
    assert.equal(m.sent.length, 1); // a 10 s Retry-After does not fit in a 1 s deadline
  });

  test("the API key is in no message, inspect or JSON output", async () => {
    const key = "sk-very-secret-123";
    const gq = client(mock(envelope(401, "unauthorized", "invalid credentials")).fetch, { apiKey: key, maxRetries: 0 });
    const error = await gq.stats().catch((e: unknown) => e);
    const shown = [
      inspect(gq, { showHidden: true, depth: 10 }),
      JSON.stringify(gq),
      inspect(error, { depth: 10 }),
      String(error),
      inspect(gq.retryPolicy),
    ];
    for (const text of shown) assert.ok(!text.includes(key), text);
  });
});

describe("checks", () => {
  const gq = client(mock(json(JOB)).fetch);
  for (const [value, why] of [
    ["..", "dot segments"],
    [`${ID}/result`, "a slash"],
    ["not-a-uuid", "not a uuid"],
    [42, "a number"],
  ] as const) {
    test(`job id ${why} is refused before any request`, async () => {
      await assert.rejects(gq.get(value as string), (e) => e instanceof ValidationError && e.field === "jobId");
    });
  }
  test("lenient UUID forms are canonicalised", async () => {
    const m = mock(json(JOB));
    const c = client(m.fetch);
    for (const form of [ID.toUpperCase(), `urn:uuid:${ID}`, `{${ID}}`, ID.replaceAll("-", "")]) await c.get(form, { includeResult: false });
    assert.ok(m.sent.every((s) => s.url.pathname === `/api/v1/jobs/${ID}`));
  });
  test("bad options name their field", async () => {
    const checks: [() => Promise<unknown>, string][] = [
      [() => gq.submit("echo", 1, { maxAttempts: -1 }), "maxAttempts"],
      [() => gq.submit("echo", 1, { timeout: -5 }), "timeout"],
      [() => gq.submit("echo", 1, { tags: { a: 1 as never } }), "tags.a"],
      [() => gq.submit("echo", 1, { idempotencyKey: "" }), "idempotencyKey"],
      [() => gq.submitBatch([]), "jobs"],
      [() => gq.submitBatch([{ payload: 1 } as never]), "jobs[0].type"],
      [() => gq.cancel(ID, { force: "yes" as never }), "force"],
    ];
    for (const [call, field] of checks) await assert.rejects(call(), (e) => e instanceof ValidationError && e.field === field);
  });
  test("the client's own options are checked", () => {
    assert.throws(() => new GopherQueue("ftp://x"), ValidationError);
    assert.throws(() => new GopherQueue("http://user:pw@x"), ValidationError);
    assert.throws(() => new GopherQueue("http://x", { waitChunk: 30_000 }), ValidationError);
    assert.throws(() => new RetryPolicy({ maxRetries: -1 }), ValidationError);
  });
});

describe("retry policy", () => {
  test("full-jitter backoff is capped", () => {
    const p = new RetryPolicy();
    assert.equal(
      p.backoff(1, () => 1),
      500,
    );
    assert.equal(
      p.backoff(3, () => 1),
      2000,
    );
    assert.equal(
      p.backoff(10, () => 1),
      8000,
    );
    assert.equal(
      p.backoff(2, () => 0),
      0,
    );
  });
  test("Retry-After: seconds or an HTTP date", () => {
    assert.equal(retryAfterMillis("3"), 3000);
    assert.equal(
      retryAfterMillis("Sat, 28 Nov 2026 19:12:20 GMT", () => Date.parse("2026-11-28T19:12:18Z")),
      2000,
    );
    assert.equal(retryAfterMillis("soon"), null);
    assert.equal(retryAfterMillis(null), null);
  });
  test("onRetry sees each retry", async () => {
    const seen: number[] = [];
    const m = mock(envelope(503, "service_unavailable", "busy"), json({ queue: {}, workers: {} }));
    await client(m.fetch, { retry: { ...fast, onRetry: (e) => seen.push(e.attempt) } })
      .stats()
      .catch(() => undefined);
    assert.deepEqual(seen, [1]);
  });
});

describe("SSE decoder", () => {
  const bytes = (s: string) => new TextEncoder().encode(s);
  test("line ends, comments, multi-line data, ids and retry", () => {
    const d = new SSEDecoder();
    const events = [
      ...d.feed(bytes("\ufeff: hi\r\nevent: a\rdata: 1\ndata:2\r")),
      ...d.feed(bytes("\nid: x\nretry: 15\n\ndata: no-type\n\n")),
    ];
    assert.deepEqual(events, [
      { event: "a", data: "1\n2", id: "x", retry: 15 },
      { event: "message", data: "no-type", id: "x", retry: null },
    ]);
  });
  test("split multi-byte characters and an unterminated event at the end", () => {
    const d = new SSEDecoder();
    const all = bytes('data: {"name":"café"}\n\ndata: lost');
    const out = [];
    for (const b of all) out.push(...d.feed(new Uint8Array([b])));
    out.push(...d.close());
    assert.deepEqual(
      out.map((e) => e.data),
      ['{"name":"café"}'],
    );
  });
  test("lines and events over the caps are SSELimitError", () => {
    assert.throws(() => new SSEDecoder({ maxLine: 10 }).feed(bytes("data: 0123456789abc")), SSELimitError);
    assert.throws(() => new SSEDecoder({ maxEvent: 10 }).feed(bytes("data: 12345\ndata: 67890\n")), SSELimitError);
  });
});

describe("events", () => {
  test("reconnects after the stream ends and surfaces connected once", async () => {
    const stream = (body: string) => new Response(body, { headers: { "content-type": "text/event-stream" } });
    const created = (id: string, type: string) => `event: job.created\ndata: ${JSON.stringify({ ...JOB, id, type })}\nid: ${id}\n\n`;
    const a = "11111111-1111-4111-8111-111111111111";
    const b = "22222222-2222-4222-8222-222222222222";
    const connected = 'event: connected\ndata: {"status":"connected"}\n\n';
    const m = mock(
      stream(connected + created(a, "email") + created(ID, "sleep")),
      stream(`${connected}event: job.deleted\ndata: {"id":"${a}"}\nid: ${a}\n\n${created(b, "email")}`),
    );
    const seen: string[] = [];
    for await (const e of client(m.fetch).events({ jobTypes: ["email"] })) {
      seen.push(`${e.event} ${e.jobId ?? ""}`.trim());
      if (e.jobId === b) break;
    }
    assert.deepEqual(seen, ["connected", `job.created ${a}`, `job.deleted ${a}`, `job.created ${b}`]);
    assert.equal(m.sent.length, 2);
    assert.equal(m.sent[0]?.headers.get("accept"), "text/event-stream");
  });
  test("reconnects leave no listener on the caller's signal", async () => {
    // Each stream ends after connected, so the client reopens it; a leaked abort listener per
    // reopen is what showed up as MaxListenersExceededWarning on a stream cut every 2 s.
    const connected = 'event: connected\ndata: {"status":"connected"}\n\n';
    const m = mock(() => new Response(connected, { headers: { "content-type": "text/event-stream" } }));
    const controller = new AbortController();
    const listening: number[] = [];
    let reconnects = 0;
    for await (const _ of client(m.fetch).events({
      signal: controller.signal,
      onReconnect: () => {
        listening.push(getEventListeners(controller.signal, "abort").length);
        if (++reconnects === 25) controller.abort();
      },
    })) {
      listening.push(getEventListeners(controller.signal, "abort").length);
    }
    assert.equal(m.sent.length, 25);
    // While a stream is read one listener aborts its body; between streams there is none.
    assert.deepEqual(listening.slice(0, 4), [1, 0, 0, 0]);
    assert.ok(
      listening.every((n) => n <= 1),
      String(listening),
    );
    assert.equal(listening.filter((n) => n === 0).length, 25);
  });
  test("a failed stream open leaves no listener on the caller's signal", async () => {
    const m = mock(dropped());
    const controller = new AbortController();
    let reopens = 0;
    for await (const _ of client(m.fetch).events({
      signal: controller.signal,
      onReconnect: () => {
        assert.equal(getEventListeners(controller.signal, "abort").length, 0);
        if (++reopens === 5) controller.abort();
      },
    })) {
      assert.fail("no event expected");
    }
    assert.equal(reopens, 5);
  });
  test("a 401 ends the stream with AuthenticationError", async () => {
    const m = mock(envelope(401, "unauthorized", "missing credentials"));
    await assert.rejects(async () => {
      for await (const _ of client(m.fetch).events()) break;
    }, AuthenticationError);
  });
});
