// End-to-end: the SDK over real sockets against the embedded server (python -m
// gopherqueue.testing, through test/harness.py), one shared server reset before each test,
// and a second one with a 2 s write timeout for the server's 30 s cuts.
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { inspect } from "node:util";
import {
  APIConnectionError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  type Event,
  GopherQueue,
  Job,
  JobFailedError,
  JobNotFoundError,
  type ReconnectEvent,
  ResultNotReadyError,
  ServerError,
  ValidationError,
  WaitTimeoutError,
} from "../src/index.js";
import { EmbeddedServer } from "./support/server.js";

let server: EmbeddedServer;
let short: EmbeddedServer;
let gq: GopherQueue;
const fast = { backoffBase: 1, backoffMax: 5 };

/** Poll the harness until `condition` holds (a signal from the server, not a fixed sleep). */
async function until(condition: () => Promise<boolean>, what: string, timeout = 10_000): Promise<void> {
  const endAt = Date.now() + timeout;
  while (!(await condition())) {
    assert.ok(Date.now() < endAt, `${what}: not within ${timeout} ms`);
    await sleep(10);
  }
}

before(async () => {
  [server, short] = await Promise.all([EmbeddedServer.start(), EmbeddedServer.start({ writeTimeout: 2 })]);
  gq = new GopherQueue(server.url, { retry: fast });
});
after(async () => {
  await Promise.all([server.stop(), short.stop()]);
});
beforeEach(async () => {
  await Promise.all([server.reset(), short.reset()]);
});

describe("jobs", () => {
  test("submit, wait, get and result: base64 output decoded, durations in ms", async () => {
    const job = await gq.submit("echo", { hello: "world" }, { priority: 1, tags: { a: "b" }, maxAttempts: 2 });
    assert.ok(job instanceof Job);
    assert.equal(job.type, "echo");
    assert.equal(job.priority, 1);
    assert.deepEqual(job.tags, { a: "b" });
    assert.equal(job.replayed, false);
    const outcome = await gq.wait(job.id, { timeout: 10_000 });
    assert.equal(outcome.completed, true);
    assert.equal(outcome.success, true);
    assert.deepEqual(outcome.result?.json(), { hello: "world" });
    const again = await gq.get(job.id);
    assert.equal(again.state, "completed");
    assert.ok(again.completedAt instanceof Date);
    assert.equal(again.result?.text(), '{"hello":"world"}');
    const result = await gq.result(job.id);
    assert.equal(result.success, true);
    assert.ok(result.duration >= 0 && result.duration < 60_000, `duration ${result.duration} ms`);
    assert.equal(JSON.parse(JSON.stringify(again)).result.output, '{"hello":"world"}');
  });

  test("an idempotency key replays the existing job", async () => {
    const first = await gq.submit("echo", 1, { idempotencyKey: "k-1" });
    const second = await gq.submit("sleep", 2, { idempotencyKey: "k-1" });
    assert.equal(second.id, first.id);
    assert.equal(second.type, "echo");
    assert.equal(second.replayed, true);
    assert.equal(await server.jobCount(), 1);
  });

  test("sleep 0 completes without output", async () => {
    const outcome = await gq.submitAndWait("sleep", 0, { wait: { timeout: 10_000 } });
    assert.equal(outcome.success, true);
    assert.equal(outcome.result?.output.length, 0);
  });

  test("delete, then get, result and delete are JobNotFoundError", async () => {
    const job = await gq.submit("echo", "x");
    await gq.wait(job.id, { timeout: 10_000 });
    await gq.delete(job.id);
    await assert.rejects(gq.get(job.id), JobNotFoundError);
    await assert.rejects(gq.result(job.id), (e) => e instanceof JobNotFoundError || e instanceof ResultNotReadyError);
    await assert.rejects(gq.delete(job.id), JobNotFoundError);
  });

  test("list by type and state", async () => {
    const a = await gq.submit("echo", 1);
    await gq.submit("sleep", 0);
    await gq.wait(a.id, { timeout: 10_000 });
    const echoes = await gq.list({ type: "echo" });
    assert.deepEqual(
      echoes.map((j) => j.id),
      [a.id],
    );
    const completed = await gq.list({ state: "completed", type: "echo" });
    assert.deepEqual(
      completed.map((j) => j.id),
      [a.id],
    );
  });

  test("stats, health, ready and live", async () => {
    await gq.submitAndWait("echo", 1, { wait: { timeout: 10_000 } });
    const stats = await gq.stats();
    assert.equal(stats.completed, 1);
    assert.equal(stats.totalJobs, 1);
    assert.ok(stats.workers.uptime > 0);
    const health = await gq.health();
    assert.equal(health.healthy, true);
    assert.equal(await gq.ready(), true);
    assert.equal(await gq.live(), true);
  });

  test("dead letter, then retry with reset attempts", async () => {
    const job = await gq.submit("fail", null, { maxAttempts: 1 });
    const outcome = await gq.wait(job.id, { timeout: 10_000 });
    assert.equal(outcome.state, "dead_letter");
    assert.equal(outcome.success, false);
    assert.equal(outcome.result?.errorCategory, "permanent");
    await assert.rejects(gq.wait(job.id, { timeout: 10_000, raiseOnFailure: true }), JobFailedError);
    const retried = await gq.retry(job.id, { resetAttempts: true });
    assert.equal(retried.state, "pending");
    assert.equal(retried.attempt, 0);
    assert.equal((await gq.wait(job.id, { timeout: 10_000 })).state, "dead_letter");
  });

  test("retrying a completed job and cancelling a finished one are ConflictError", async () => {
    const job = await gq.submit("echo", 1);
    await gq.wait(job.id, { timeout: 10_000 });
    await assert.rejects(gq.retry(job.id), ConflictError);
    await assert.rejects(gq.cancel(job.id), ConflictError);
  });

  test("cancel a delayed job", async () => {
    const job = await gq.submit("echo", 1, { delay: 60_000 });
    const cancelled = await gq.cancel(job.id, { reason: "not needed" });
    assert.equal(cancelled.state, "cancelled");
    assert.equal(cancelled.lastError, "not needed");
    const outcome = await gq.wait(job.id, { timeout: 5_000 });
    assert.equal(outcome.state, "cancelled");
    assert.equal(outcome.result, null);
  });

  test("an unknown job is JobNotFoundError everywhere", async () => {
    const id = "00000000-0000-4000-8000-000000000000";
    const calls = [() => gq.get(id), () => gq.cancel(id), () => gq.retry(id), () => gq.delete(id), () => gq.wait(id, { timeout: 1000 })];
    for (const call of calls) await assert.rejects(call, JobNotFoundError);
    await assert.rejects(gq.result(id), ResultNotReadyError); // the server says "result not found" here
  });

  test("invalid arguments fail before any request", async () => {
    const before = await server.hits();
    await assert.rejects(gq.get("../stats"), (e) => e instanceof ValidationError && e.field === "jobId");
    await assert.rejects(gq.submit("", 1), (e) => e instanceof ValidationError && e.field === "jobType");
    await assert.rejects(gq.submit("echo", 1, { priority: 1.5 }), (e) => e instanceof ValidationError && e.field === "priority");
    await assert.rejects(gq.submit("echo", 1, { delay: "soon" }), (e) => e instanceof ValidationError && e.field === "delay");
    await assert.rejects(gq.submit("echo", 1n), (e) => e instanceof ValidationError && e.field === "payload");
    await assert.rejects(gq.wait("00000000-0000-4000-8000-000000000000", { timeout: -1 }), ValidationError);
    await assert.rejects(
      gq.submitBatch([{ type: "echo", bogus: 1 } as never]),
      (e) => e instanceof ValidationError && e.field === "jobs[0].bogus",
    );
    assert.equal(await server.hits(), before);
  });

  test("wait and watch time out, and the result is not ready while running", async () => {
    const job = await gq.submit("blocker", null);
    const outcome = await gq.wait(job.id, { timeout: 600 });
    assert.equal(outcome.timedOut, true);
    assert.equal(outcome.completed, false);
    await assert.rejects(gq.wait(job.id, { timeout: 300, raiseOnTimeout: true }), WaitTimeoutError);
    await assert.rejects(gq.result(job.id), ResultNotReadyError);
    const seen = [];
    for await (const j of gq.watch(job.id, { timeout: 500, pollInterval: 200 })) seen.push(j.state);
    assert.deepEqual(seen, ["running"]);
    await server.release();
    assert.equal((await gq.wait(job.id, { timeout: 10_000 })).success, true);
  });

  test("watch reports progress and ends with the terminal state and result", async () => {
    const job = gq.job((await gq.submit("progress", null)).id);
    const seen: Job[] = [];
    for await (const j of job.watch({ pollInterval: 100 })) {
      seen.push(j);
      if (j.progress === 50) await server.release();
    }
    const last = seen.at(-1);
    assert.equal(last?.state, "completed");
    assert.equal(last?.result?.text(), "done");
    assert.ok(seen.some((j) => j.progress === 50 && j.progressMessage === "half way"));
  });

  test("waitAll and asCompleted", async () => {
    const jobs = await Promise.all([gq.submit("echo", 1), gq.submit("blocker", null), gq.submit("echo", 3)]);
    const order: string[] = [];
    const blockerId = jobs[1]?.id;
    for await (const outcome of gq.asCompleted(
      jobs.map((j) => j.id),
      { timeout: 10_000 },
    )) {
      order.push(outcome.jobId);
      if (order.length === 2) await server.release();
    }
    assert.equal(order.at(-1), blockerId);
    const all = await gq.waitAll(
      jobs.map((j) => j.id),
      { timeout: 10_000 },
    );
    assert.deepEqual(
      all.map((o) => o.jobId),
      jobs.map((j) => j.id),
    );
    assert.ok(all.every((o) => o.success));
  });

  test("the raw generated client has the base URL, key and fetch", async () => {
    const { data, response } = await gq.raw.GET("/api/v1/stats");
    assert.equal(response.status, 200);
    assert.equal(data?.queue.total_jobs, 0);
  });
});

describe("batches", () => {
  test("non-atomic batch with a rejected item", async () => {
    const result = await gq.submitBatch([
      { type: "echo", payload: 1 },
      { type: "echo", payload: 2, idempotencyKey: "dup" },
      { type: "echo", payload: 3, idempotencyKey: "dup" },
    ]);
    assert.equal(result.total, 3);
    assert.equal(result.accepted, 2);
    assert.equal(result.errors[0]?.error, "job already exists");
    assert.equal(result.jobs.length, 2);
  });

  test("atomic batch", async () => {
    const result = await gq.submitBatch(
      [
        { type: "echo", payload: 1 },
        { type: "echo", payload: 2 },
      ],
      { atomic: true },
    );
    assert.equal(result.accepted, 2);
    assert.equal(await server.jobCount(), 2);
  });

  test("a batch over 1000 is sent in chunks; an atomic one is refused before sending", async () => {
    const jobs = Array.from({ length: 1001 }, (_, i) => ({ type: "sleep", payload: 0, tags: { i: String(i) } }));
    const before = await server.hits("POST", "/api/v1/jobs/batch");
    await assert.rejects(gq.submitBatch(jobs, { atomic: true }), (e) => e instanceof ValidationError && e.field === "jobs");
    const result = await gq.submitBatch(jobs);
    assert.equal(result.accepted, 1001);
    assert.equal(result.results.at(-1)?.index, 1000);
    assert.equal((await server.hits("POST", "/api/v1/jobs/batch")) - before, 2);
    assert.equal(await server.jobCount(), 1001);
  });
});

describe("faults", () => {
  test("a lost submit response creates one job", async () => {
    await server.fault("POST", "/api/v1/jobs", { kind: "drop_after", times: 1 });
    const job = await gq.submit("echo", { n: 1 });
    assert.equal(await server.hits("POST", "/api/v1/jobs"), 2);
    assert.equal(await server.jobCount(), 1);
    assert.equal(job.replayed, false);
  });

  test("a lost batch response creates each job once", async () => {
    await server.fault("POST", "/api/v1/jobs/batch", { kind: "drop_after", times: 1 });
    const result = await gq.submitBatch([
      { type: "echo", payload: 1 },
      { type: "echo", payload: 2 },
    ]);
    assert.equal(result.accepted, 2);
    assert.equal(await server.jobCount(), 2);
  });

  test("lost cancel and delete responses are recognised", async () => {
    const job = await gq.submit("echo", 1, { delay: 60_000 });
    await server.fault("POST", "/api/v1/jobs/{id}/cancel", { kind: "drop_after", times: 1 });
    assert.equal((await gq.cancel(job.id)).state, "cancelled");
    await server.fault("DELETE", "/api/v1/jobs/{id}", { kind: "drop_after", times: 1 });
    await gq.delete(job.id);
    assert.equal(await server.jobCount(), 0);
  });

  test("a lost retry response is recognised without running the job twice", async () => {
    const job = await gq.submit("fail", null, { maxAttempts: 1 });
    await gq.wait(job.id, { timeout: 10_000 });
    await server.fault("POST", "/api/v1/jobs/{id}/retry", { kind: "drop_after", times: 1 });
    const retried = await gq.retry(job.id);
    assert.equal(retried.id, job.id);
    assert.equal(await server.hits("POST", "/api/v1/jobs/{id}/retry"), 1);
  });

  test("a 503 with Retry-After is retried", async () => {
    await server.fault("GET", "/api/v1/stats", { kind: "status", status: 503, retry_after: 0, times: 1 });
    await gq.stats();
    assert.equal(await server.hits("GET", "/api/v1/stats"), 2);
  });

  test("a proxy's HTML 502 is a typed ServerError after the retries", async () => {
    await server.fault("GET", "/api/v1/stats", { kind: "html_502", times: null });
    await assert.rejects(gq.stats(), (e) => e instanceof ServerError && e.status === 502 && /text\/html/.test(e.message));
    assert.equal(await server.hits("GET", "/api/v1/stats"), 3);
  });

  test("wait survives a dropped long poll", async () => {
    const job = await gq.submit("echo", 1);
    await server.fault("POST", "/api/v1/jobs/{id}/wait", { kind: "drop_before", times: 1 });
    assert.equal((await gq.wait(job.id, { timeout: 10_000 })).success, true);
  });

  test("a refused connection is an APIConnectionError", async () => {
    const dead = new GopherQueue("http://127.0.0.1:9", { maxRetries: 0 });
    await assert.rejects(dead.stats(), APIConnectionError);
  });
});

describe("the 30 s write timeout (shortened to 2 s)", () => {
  test("a wait longer than the write timeout is chunked and looped", async () => {
    const client = new GopherQueue(short.url, { waitChunk: 1500, retry: fast });
    const job = await client.submit("blocker", null);
    const outcome = await client.wait(job.id, { timeout: 3500 });
    assert.equal(outcome.timedOut, true);
    assert.ok((await short.hits("POST", "/api/v1/jobs/{id}/wait")) >= 3);
    await short.release();
    assert.equal((await client.wait(job.id, { timeout: 10_000 })).success, true);
  });

  test("events reconnect across the server's cuts", async () => {
    const client = new GopherQueue(short.url, { retry: fast });
    const controller = new AbortController();
    // A guard, not a sync point: without it a lost event would reconnect until CI's timeout.
    let gaveUp = false;
    const guard = setTimeout(() => {
      gaveUp = true;
      controller.abort();
    }, 60_000);
    const seen: Event[] = [];
    let reconnects = 0;
    let firstStreams: number[] = [];
    let second = "";
    let submitting: Promise<void> | undefined;
    // The server keeps no history, so an event published while the stream is being reopened
    // is gone: submit the second job only once a new subscriber is registered.
    const submitOnceReopened = async (): Promise<void> => {
      while (!gaveUp && (await short.streams()).every((id) => firstStreams.includes(id))) await sleep(20);
      second = (await client.submit("echo", 2)).id;
    };
    try {
      for await (const event of client.events({
        jobTypes: ["echo"],
        signal: controller.signal,
        onReconnect: () => {
          reconnects++;
          if (reconnects === 1) submitting = submitOnceReopened();
        },
      })) {
        seen.push(event);
        if (event.event === "connected") {
          firstStreams = await short.streams();
          await client.submit("sleep", 0);
          await client.submit("echo", 1);
        }
        if (event.event === "job.created" && second !== "" && event.data.id === second) controller.abort();
      }
    } finally {
      clearTimeout(guard);
    }
    await submitting;
    assert.ok(!gaveUp, `no job.created for the second job; saw ${seen.map((e) => e.event).join(", ")}`);
    assert.equal(seen[0]?.event, "connected");
    assert.deepEqual(seen.filter((e) => e.event === "connected").length, 1);
    const created = seen.filter((e) => e.event === "job.created");
    assert.equal(created.length, 2);
    assert.ok(created.every((e) => e.job?.type === "echo"));
    assert.ok(reconnects >= 1);
  });

  test("jobId filter, and job.deleted matched to jobTypes", async () => {
    const client = new GopherQueue(server.url, { retry: fast });
    const target = await client.submit("echo", 0, { delay: 60_000 });
    const names: string[] = [];
    const stream = client.events({ jobId: target.id, signal: AbortSignal.timeout(20_000) });
    for await (const event of stream) {
      names.push(event.event);
      if (event.event === "connected") {
        await client.submit("echo", 1);
        await client.cancel(target.id);
        await client.delete(target.id);
      }
      if (event.event === "job.deleted") break;
    }
    assert.deepEqual(names, ["connected", "job.cancelled", "job.deleted"]);
  });
});

describe("the event stream's faults and lifetime", () => {
  test("the event stream reopens after a 503", async () => {
    await server.fault("GET", "/api/v1/events", { kind: "status", status: 503, times: 1 });
    const reconnects: ReconnectEvent[] = [];
    const seen: [string, string | null][] = [];
    let job = "";
    // The signal is a guard against a hang, not a sync point.
    for await (const event of gq.events({ onReconnect: (r) => reconnects.push(r), signal: AbortSignal.timeout(20_000) })) {
      seen.push([event.event, event.jobId]);
      if (event.event === "connected") job = (await gq.submit("echo", 1)).id;
      if (event.event === "job.created") break;
    }
    assert.deepEqual(seen, [
      ["connected", null],
      ["job.created", job],
    ]);
    assert.equal(reconnects.length, 1);
    const error = reconnects[0]?.error;
    assert.ok(error instanceof ServerError, String(error));
    assert.equal(error.status, 503);
    assert.equal(await server.hits("GET", "/api/v1/events"), 2);
  });

  test("events reconnect after a server restart and resume", async () => {
    const controller = new AbortController();
    const guard = setTimeout(() => controller.abort(), 30_000);
    const reconnects: ReconnectEvent[] = [];
    const seen: [string, string | null][] = [];
    let firstStreams: number[] = [];
    let before = "";
    let after = "";
    let submitting: Promise<void> | undefined;
    // The server keeps no history: submit the second job once the reopened stream is
    // registered, and the old one gone (the restart dropped it).
    const submitOnceReopened = async (): Promise<void> => {
      await until(async () => {
        const open = await server.streams();
        return open.length === 1 && !firstStreams.includes(open[0] as number);
      }, "one new stream after the restart");
      after = (await gq.submit("echo", 2, { tags: { m: "after-restart" } })).id;
    };
    try {
      for await (const event of gq.events({
        signal: controller.signal,
        onReconnect: (r) => {
          reconnects.push(r);
          if (reconnects.length === 1) submitting = submitOnceReopened();
        },
      })) {
        seen.push([event.event, event.jobId]);
        if (event.event === "connected") {
          firstStreams = await server.streams();
          before = (await gq.submit("echo", 1)).id;
        }
        if (event.jobId === before && event.event === "job.created") await server.restart();
        if (event.job?.tags.m === "after-restart") break;
      }
    } finally {
      clearTimeout(guard);
    }
    await submitting;
    assert.deepEqual(seen, [
      ["connected", null],
      ["job.created", before],
      ["job.created", after],
    ]);
    // A first reopening may reach the server while it restarts and be refused (a second hook
    // call, with backoff); the stream carries on either way.
    assert.ok(reconnects.length >= 1);
    assert.equal(reconnects[0]?.attempt, 1);
    assert.ok(
      reconnects.every((r) => r.error instanceof APIConnectionError),
      reconnects.map((r) => String(r.error)).join("; "),
    );
    // One request per (re)connection; one refused during the restart never arrived.
    const hits = await server.hits("GET", "/api/v1/events");
    assert.ok(hits >= 2 && hits <= 1 + reconnects.length, `${hits} hits, ${reconnects.length} reconnects`);
  });

  test("abandoned subscriptions leave no stream open", async () => {
    // A server of its own: no other test's stream is counted.
    const own = await EmbeddedServer.start();
    const ABANDONED = 100;
    const CLOSED = 20;
    const noStreams = () => until(async () => (await own.streams()).length === 0, "every stream closed");
    try {
      const client = new GopherQueue(own.url);
      // The counter sees a live stream, and its return() closes it.
      const held = client.events()[Symbol.asyncIterator]();
      assert.equal((await held.next()).value?.event, "connected");
      assert.equal((await own.streams()).length, 1);
      await held.return();
      await noStreams();

      for (let i = 0; i < ABANDONED; i++) {
        for await (const event of client.events()) {
          assert.equal(event.event, "connected");
          break;
        }
      }
      // Aborted while suspended between events, the iterator never resumed.
      for (let i = 0; i < CLOSED; i++) {
        const controller = new AbortController();
        const stream = client.events({ signal: controller.signal })[Symbol.asyncIterator]();
        assert.equal((await stream.next()).value?.event, "connected");
        controller.abort();
      }
      // Aborted, then resumed: the iterator ends without an error.
      for (let i = 0; i < CLOSED; i++) {
        const controller = new AbortController();
        const stream = client.events({ signal: controller.signal })[Symbol.asyncIterator]();
        await stream.next();
        controller.abort();
        assert.equal((await stream.next()).done, true);
      }
      await noStreams();
      assert.equal(await own.hits("GET", "/api/v1/events"), 1 + ABANDONED + 2 * CLOSED);
    } finally {
      await own.stop();
    }
  });
});

describe("auth", () => {
  test("the right key works; a wrong one is AuthenticationError without the key anywhere", async () => {
    const locked = await EmbeddedServer.start({ apiKey: "s3cret-key" });
    try {
      const good = new GopherQueue(locked.url, { apiKey: "s3cret-key" });
      await good.stats();
      const bad = new GopherQueue(locked.url, { apiKey: "wrong-key-123" });
      const error = await bad.stats().then(
        () => assert.fail("expected a refusal"),
        (e: unknown) => e,
      );
      assert.ok(error instanceof AuthenticationError);
      const shown = `${inspect(error)} ${inspect(bad)} ${JSON.stringify(bad)} ${String(error)}`;
      assert.ok(!shown.includes("wrong-key-123"), shown);
      assert.ok(!inspect(good, { showHidden: true, depth: 5 }).includes("s3cret-key"));
    } finally {
      await locked.stop();
    }
  });
});

describe("server 400s", () => {
  test("are BadRequestError and count as ValidationError", async () => {
    await server.fault("POST", "/api/v1/jobs", { kind: "status", status: 400, times: 1 });
    await assert.rejects(gq.submit("echo", 1), (e) => e instanceof BadRequestError && e instanceof ValidationError);
  });
});
