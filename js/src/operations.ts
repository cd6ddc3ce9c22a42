/**
 * Every operation, written once over the Transport: argument checks, the generated call,
 * the reply's parsing, and the protocol's quirks (lost responses, the 30 s write timeout,
 * the mislabelled 500 for retry, the 204 delete).
 */

import {
  checkBool,
  checkInt,
  checkJobId,
  checkJobType,
  checkPayload,
  checkScheduledAt,
  checkString,
  checkTags,
  formatMillis,
  toGoDuration,
} from "./checks.js";
import {
  APIConnectionError,
  type APIStatusError,
  BatchConflictError,
  ConflictError,
  excerpt,
  JobFailedError,
  JobNotFoundError,
  RateLimitError,
  ResultNotReadyError,
  ServerError,
  UnexpectedResponseError,
  ValidationError,
  WaitTimeoutError,
} from "./errors.js";
import {
  BatchItem,
  BatchResult,
  Health,
  isTerminal,
  Job,
  JobResult,
  type JobState,
  QueueStats,
  type RawBatchResponse,
  type RawHealth,
  type RawJob,
  type RawJobResult,
  type RawStats,
  type RawSubmitJobRequest,
  type RawWaitResponse,
  ShapeError,
  WaitResult,
} from "./models.js";
import { checkMillis } from "./retry.js";
import { type Call, type Reply, type RequestOptions, sleep, type Transport } from "./transport.js";

/** The server's batch limit. */
export const MAX_BATCH = 1000;
/** The real server drops any reply due 30 s or more after the request: wait chunks stay below it. */
export const WAIT_CHUNK_MAX = 28_000;
// Extra time beyond a long poll's own timeout before its attempt is given up.
const WAIT_READ_MARGIN = 5_000;

/** What operations share: the transport and the client's behaviour options. */
export interface Context {
  transport: Transport;
  /** Longest single long poll, in ms (<= WAIT_CHUNK_MAX). */
  waitChunk: number;
  /** Give every submit an idempotency key when the caller did not. */
  autoIdempotencyKey: boolean;
}

/** Options of submit (and of each submitBatch item, with `type` and `payload`). */
export interface SubmitOptions extends RequestOptions {
  /** Lower runs first; any integer (Priority has names). Server default 2. */
  priority?: number;
  /** Milliseconds or a Go duration string ("10s"). The real server reports `delayed` but runs the job at once. */
  delay?: number | string;
  /** A Date or an RFC 3339 string. */
  scheduledAt?: Date | string;
  /** Per-attempt execution limit: milliseconds or a Go duration string ("10m"). */
  timeout?: number | string;
  /** Attempts before dead_letter (server default 3). */
  maxAttempts?: number;
  /** Reused keys return the existing job (`replayed`); a random one is used when absent. */
  idempotencyKey?: string;
  /** Stored by the server, never returned. */
  correlationId?: string;
  /** String labels. */
  tags?: Record<string, string>;
}

/** One submitBatch item. */
export interface JobSpec extends Omit<SubmitOptions, keyof RequestOptions> {
  type: string;
  payload?: unknown;
}

const SPEC_FIELDS = new Set([
  "type",
  "payload",
  "priority",
  "delay",
  "scheduledAt",
  "timeout",
  "maxAttempts",
  "idempotencyKey",
  "correlationId",
  "tags",
]);

/** A random UUID (crypto.randomUUID where the runtime has it). */
export function randomUUID(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string; getRandomValues?: (a: Uint8Array) => Uint8Array } }).crypto;
  if (c?.randomUUID) return c.randomUUID();
  const bytes = new Uint8Array(16);
  if (c?.getRandomValues) c.getRandomValues(bytes);
  else for (let i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function parse<T>(reply: Reply, operation: string, build: (data: never) => T): T {
  const response = reply.response;
  // Built only when an error is thrown: reading `response.url` serializes the URL each time.
  const where = () => ({ method: "", url: response.url, status: response.status, headers: response.headers });
  let data: unknown;
  try {
    data = JSON.parse(reply.text);
  } catch {
    const kind = response.headers.get("content-type") ?? "no content type";
    throw new UnexpectedResponseError(`${operation}: expected JSON, got ${kind}: ${reply.text ? excerpt(reply.text) : "empty body"}`, {
      ...where(),
      body: reply.text,
    });
  }
  try {
    if (typeof data !== "object" || data === null) throw new ShapeError("not a JSON object");
    return build(data as never);
  } catch (cause) {
    if (cause instanceof ShapeError || cause instanceof TypeError) {
      throw new UnexpectedResponseError(`${operation}: the reply does not match the protocol (${cause.message}): ${excerpt(reply.text)}`, {
        ...where(),
        body: data,
      });
    }
    throw cause;
  }
}

/** Check submit arguments and build the wire body; `prefix` names batch fields ("jobs[3]."). */
export function buildSubmitBody(
  ctx: Context,
  jobType: unknown,
  payload: unknown,
  options: SubmitOptions,
  prefix = "",
): RawSubmitJobRequest {
  const body: RawSubmitJobRequest = { type: checkJobType(jobType, prefix ? `${prefix}type` : "jobType") };
  if (payload !== undefined) {
    checkPayload(payload, `${prefix}payload`);
    body.payload = payload;
  }
  if (options.priority !== undefined) body.priority = checkInt(options.priority, `${prefix}priority`);
  if (options.delay !== undefined) body.delay = toGoDuration(options.delay, `${prefix}delay`);
  if (options.scheduledAt !== undefined) body.scheduled_at = checkScheduledAt(options.scheduledAt, `${prefix}scheduledAt`);
  if (options.timeout !== undefined) body.timeout = toGoDuration(options.timeout, `${prefix}timeout`);
  if (options.maxAttempts !== undefined) body.max_attempts = checkInt(options.maxAttempts, `${prefix}maxAttempts`, 0);
  if (options.tags !== undefined) {
    const tags = checkTags(options.tags, `${prefix}tags`);
    if (Object.keys(tags).length > 0) body.tags = tags;
  }
  if (options.idempotencyKey !== undefined) body.idempotency_key = checkString(options.idempotencyKey, `${prefix}idempotencyKey`);
  else if (ctx.autoIdempotencyKey) {
    // One key per logical submit, reused by every retry of it: a retry after a lost response
    // gets the existing job back (200) instead of creating a second one.
    body.idempotency_key = `gq-${randomUUID()}`;
  }
  if (options.correlationId !== undefined) body.correlation_id = checkString(options.correlationId, `${prefix}correlationId`);
  return body;
}

function call(operation: string, method: string, path: string, send: Call["send"], extra: Partial<Call> = {}): Call {
  return { operation, method, path, send, ...extra };
}

/** POST /api/v1/jobs. */
export async function submit(ctx: Context, jobType: unknown, payload: unknown, options: SubmitOptions = {}): Promise<Job> {
  const body = buildSubmitBody(ctx, jobType, payload, options);
  return submitBody(ctx, body, options);
}

async function submitBody(ctx: Context, body: RawSubmitJobRequest, options: RequestOptions): Promise<Job> {
  const raw = ctx.transport.calls;
  const reply = await ctx.transport.send(
    call("submit_job", "POST", "/api/v1/jobs", (init) => raw.POST("/api/v1/jobs", { body, ...init })),
    options,
  );
  // 200 is the server's answer to a known key: the job existed already. After a lost response
  // that is our own earlier attempt, not a replay the caller asked for.
  const replayed = reply.response.status === 200 && !reply.ambiguous;
  return parse(reply, "submit_job", (d: RawJob) => new Job(d, { replayed }));
}

function specBody(ctx: Context, index: number, item: unknown): RawSubmitJobRequest {
  const where = `jobs[${index}]`;
  if (typeof item !== "object" || item === null || Array.isArray(item)) {
    throw new ValidationError(`${where} must be an object with a type`, where);
  }
  for (const key of Object.keys(item)) {
    if (!SPEC_FIELDS.has(key)) {
      throw new ValidationError(
        `${where} has an unknown field ${JSON.stringify(key)}; expected some of ${[...SPEC_FIELDS].join(", ")}`,
        `${where}.${key}`,
      );
    }
  }
  const spec = item as JobSpec;
  if (spec.type === undefined) throw new ValidationError(`${where}.type is required`, `${where}.type`);
  return buildSubmitBody(ctx, spec.type, spec.payload, spec, `${where}.`);
}

/** Options of submitBatch. */
export interface BatchOptions extends RequestOptions {
  /** All or nothing (at most 1000 jobs); non-atomic batches are split into chunks of 1000. */
  atomic?: boolean;
}

/** POST /api/v1/jobs/batch, split into server-sized chunks when not atomic. */
export async function submitBatch(ctx: Context, jobs: unknown, options: BatchOptions = {}): Promise<BatchResult> {
  if (!Array.isArray(jobs)) throw new ValidationError("jobs must be an array of job objects", "jobs");
  const atomic = options.atomic === undefined ? false : checkBool(options.atomic, "atomic");
  const bodies = jobs.map((item, index) => specBody(ctx, index, item));
  if (bodies.length === 0) throw new ValidationError("jobs must hold at least one job", "jobs");
  if (atomic && bodies.length > MAX_BATCH) {
    throw new ValidationError(
      `an atomic batch holds at most ${MAX_BATCH} jobs (the server's limit), got ${bodies.length}; submit it non-atomically to have it split into chunks`,
      "jobs",
    );
  }
  const parts: BatchResult[] = [];
  for (let start = 0; start < bodies.length; start += MAX_BATCH) {
    parts.push(await submitChunk(ctx, bodies.slice(start, start + MAX_BATCH), start, atomic, options));
  }
  return parts.length === 1 ? (parts[0] as BatchResult) : BatchResult.merge(parts);
}

async function submitChunk(
  ctx: Context,
  bodies: RawSubmitJobRequest[],
  offset: number,
  atomic: boolean,
  options: RequestOptions,
): Promise<BatchResult> {
  const raw = ctx.transport.calls;
  const body = { jobs: bodies, atomic };
  let reply: Reply;
  try {
    reply = await ctx.transport.send(
      call("submit_batch", "POST", "/api/v1/jobs/batch", (init) => raw.POST("/api/v1/jobs/batch", { body, ...init })),
      options,
    );
  } catch (error) {
    // A key that "already exists" after a lost response was stored by our own earlier attempt:
    // resolve every item through single submit, which answers a known key with its job.
    if (error instanceof BatchConflictError && error.afterAmbiguousAttempt) {
      const items: BatchItem[] = [];
      for (const [i, b] of bodies.entries()) items.push(new BatchItem(offset + i, true, await submitBody(ctx, b, options), null));
      return new BatchResult(items.length, items.length, 0, items);
    }
    throw error;
  }
  const parsed = parse(reply, "submit_batch", (d: RawBatchResponse) => BatchResult.fromApi(d, offset));
  if (!reply.ambiguous) return parsed;
  let fixed = 0;
  const results: BatchItem[] = [];
  for (const item of parsed.results) {
    const local = item.index - offset;
    const own = bodies[local];
    if (!item.success && item.error === "job already exists" && own?.idempotency_key) {
      results.push(new BatchItem(item.index, true, await submitBody(ctx, own, options), null));
      fixed++;
    } else results.push(item);
  }
  return fixed ? new BatchResult(parsed.total, parsed.accepted + fixed, parsed.rejected - fixed, results) : parsed;
}

/** Options of get. */
export interface GetOptions extends RequestOptions {
  /** Also fetch the result of a finished job (default true). */
  includeResult?: boolean;
}

/** GET /api/v1/jobs/{id}, and the result too when the job has finished. */
export async function get(ctx: Context, jobId: unknown, options: GetOptions = {}): Promise<Job> {
  const id = checkJobId(jobId);
  const raw = ctx.transport.calls;
  const reply = await ctx.transport.send(
    call("get_job", "GET", `/api/v1/jobs/${id}`, (init) => raw.GET("/api/v1/jobs/{job_id}", { params: { path: { job_id: id } }, ...init })),
    options,
  );
  const job = parse(reply, "get_job", (d: RawJob) => new Job(d));
  if ((options.includeResult ?? true) && job.isFinished) {
    try {
      const jobResult = await result(ctx, id, options);
      return new Job(job.raw, { result: jobResult });
    } catch (error) {
      if (error instanceof ResultNotReadyError || error instanceof JobNotFoundError) return job;
      throw error;
    }
  }
  return job;
}

/** GET /api/v1/jobs/{id}/result. */
export async function result(ctx: Context, jobId: unknown, options: RequestOptions = {}): Promise<JobResult> {
  const id = checkJobId(jobId);
  const raw = ctx.transport.calls;
  const reply = await ctx.transport.send(
    call("get_job_result", "GET", `/api/v1/jobs/${id}/result`, (init) =>
      raw.GET("/api/v1/jobs/{job_id}/result", { params: { path: { job_id: id } }, ...init }),
    ),
    options,
  );
  return parse(reply, "get_job_result", (d: RawJobResult) => new JobResult(d));
}

/** Options of wait. */
export interface WaitOptions extends RequestOptions {
  /** Milliseconds to wait in all (default: no limit); polled in chunks below the server's 30 s cut. */
  timeout?: number;
  /** Throw WaitTimeoutError instead of returning a timed-out result. */
  raiseOnTimeout?: boolean;
  /** Throw JobFailedError when the job ends without success. */
  raiseOnFailure?: boolean;
}

/**
 * Long-poll POST /api/v1/jobs/{id}/wait in chunks below the server's 30 s write timeout,
 * until the job finishes or `timeout` ms pass. A dropped long poll (a restart, a proxy
 * closing the connection) is retried with backoff until the deadline.
 */
export async function wait(ctx: Context, jobId: unknown, options: WaitOptions = {}): Promise<WaitResult> {
  const id = checkJobId(jobId);
  const timeout = options.timeout === undefined ? null : checkMillis(options.timeout, "timeout");
  const deadline = timeout === null ? null : Date.now() + timeout;
  const policy = ctx.transport.retry;
  const single = policy.with({ maxRetries: 0 });
  const raw = ctx.transport.calls;
  let state: JobState | null = null;
  let failures = 0;
  let lastError: unknown = null;
  for (let first = true; ; first = false) {
    const remaining = deadline === null ? null : deadline - Date.now();
    if (remaining !== null && remaining <= 0 && !first) break;
    const chunk = remaining === null ? ctx.waitChunk : Math.max(0, Math.min(remaining, ctx.waitChunk));
    const body = { timeout: formatMillis(Math.ceil(chunk)) };
    let reply: Reply;
    try {
      reply = await ctx.transport.send(
        call(
          "wait_for_job",
          "POST",
          `/api/v1/jobs/${id}/wait`,
          (init) => raw.POST("/api/v1/jobs/{job_id}/wait", { params: { path: { job_id: id } }, body, ...init }),
          { timeout: chunk + WAIT_READ_MARGIN, retry: single },
        ),
        { signal: options.signal },
      );
    } catch (error) {
      const transient =
        error instanceof APIConnectionError ||
        error instanceof RateLimitError ||
        (error instanceof ServerError && [500, 502, 503, 504].includes(error.status));
      if (!transient) throw error;
      failures++;
      lastError = error;
      let delay = policy.backoff(Math.min(failures, 8));
      if (deadline !== null) delay = Math.min(delay, Math.max(0, deadline - Date.now()));
      await sleep(delay, options.signal).catch((reason) => {
        throw reason instanceof Error ? reason : error;
      });
      continue;
    }
    failures = 0;
    let outcome = parse(reply, "wait_for_job", (d: RawWaitResponse) => WaitResult.fromApi(d));
    state = outcome.state;
    if (!outcome.completed && isTerminal(outcome.state)) {
      // The server answers a timeout of 0 with `timed_out` without looking at the job; a
      // terminal state there still means it has finished.
      outcome = await finishedOutcome(ctx, id, outcome.state, options);
    }
    if (outcome.completed) {
      if (options.raiseOnFailure && !outcome.success) {
        const detail = outcome.result?.error ?? `state ${outcome.state}`;
        throw new JobFailedError(`job ${id} did not succeed: ${detail}`, outcome);
      }
      return outcome;
    }
  }
  if (state === null && lastError !== null) throw lastError;
  const outcome = new WaitResult({ jobId: id, state: state ?? "pending", completed: false, success: false, timedOut: true, result: null });
  if (options.raiseOnTimeout) throw new WaitTimeoutError(`job ${id} did not finish within ${timeout} ms (state ${outcome.state})`, outcome);
  return outcome;
}

async function finishedOutcome(ctx: Context, id: string, state: JobState, options: RequestOptions): Promise<WaitResult> {
  let jobResult: JobResult | null = null;
  try {
    jobResult = await result(ctx, id, options);
  } catch (error) {
    if (!(error instanceof ResultNotReadyError)) throw error;
  }
  return new WaitResult({
    jobId: id,
    state,
    completed: true,
    success: state === "completed" && (jobResult === null || jobResult.success),
    timedOut: false,
    result: jobResult,
  });
}

/** Options of watch. */
export interface WatchOptions extends RequestOptions {
  /** Milliseconds in all (default: until the job finishes). */
  timeout?: number;
  /** How often to look at progress while it runs, in ms (default 1000, at most 28000). */
  pollInterval?: number;
}

/**
 * Yield the job each time its state, progress or attempt changes, ending with its terminal
 * state (with its result). Built on long-poll wait, since the event stream has no
 * completion or progress events.
 */
export async function* watch(ctx: Context, jobId: unknown, options: WatchOptions = {}): AsyncGenerator<Job, void, undefined> {
  const id = checkJobId(jobId);
  const poll = options.pollInterval ?? 1000;
  if (typeof poll !== "number" || !(poll > 0 && poll <= WAIT_CHUNK_MAX)) {
    throw new ValidationError(`pollInterval must be in (0, ${WAIT_CHUNK_MAX}] ms`, "pollInterval");
  }
  const timeout = options.timeout === undefined ? null : checkMillis(options.timeout, "timeout");
  const deadline = timeout === null ? null : Date.now() + timeout;
  let last = "";
  for (;;) {
    const job = await get(ctx, id, { signal: options.signal });
    const key = JSON.stringify([job.state, job.progress, job.progressMessage, job.attempt]);
    if (key !== last) {
      last = key;
      yield job;
    }
    if (job.isFinished) return;
    const remaining = deadline === null ? null : deadline - Date.now();
    if (remaining !== null && remaining <= 0) return;
    await wait(ctx, id, { timeout: remaining === null ? poll : Math.min(poll, remaining), signal: options.signal });
  }
}

/** Options of cancel. */
export interface CancelOptions extends RequestOptions {
  /** Stored as the job's last_error. */
  reason?: string;
  /** Also cancel a running job (the real server lets its handler finish and then marks it completed). */
  force?: boolean;
}

/** POST /api/v1/jobs/{id}/cancel. */
export async function cancel(ctx: Context, jobId: unknown, options: CancelOptions = {}): Promise<Job> {
  const id = checkJobId(jobId);
  const body: { reason?: string; force: boolean } = { force: options.force === undefined ? false : checkBool(options.force, "force") };
  if (options.reason !== undefined) body.reason = checkString(options.reason, "reason", true);
  const raw = ctx.transport.calls;
  try {
    const reply = await ctx.transport.send(
      call("cancel_job", "POST", `/api/v1/jobs/${id}/cancel`, (init) =>
        raw.POST("/api/v1/jobs/{job_id}/cancel", { params: { path: { job_id: id } }, body, ...init }),
      ),
      options,
    );
    return parse(reply, "cancel_job", (d: RawJob) => new Job(d));
  } catch (error) {
    // An earlier attempt whose response was lost may have cancelled it already.
    if (error instanceof ConflictError && error.status === 409 && error.afterAmbiguousAttempt) {
      const job = await get(ctx, id, { includeResult: false, signal: options.signal });
      if (job.state === "cancelled") return job;
    }
    throw error;
  }
}

/** Options of retry. */
export interface RetryJobOptions extends RequestOptions {
  /** Start counting attempts from 0 again. */
  resetAttempts?: boolean;
}

/** POST /api/v1/jobs/{id}/retry (only failed and dead_letter jobs; others are ConflictError). */
export async function retry(ctx: Context, jobId: unknown, options: RetryJobOptions = {}): Promise<Job> {
  const id = checkJobId(jobId);
  const body = { reset_attempts: options.resetAttempts === undefined ? false : checkBool(options.resetAttempts, "resetAttempts") };
  const raw = ctx.transport.calls;
  // Retrying is not idempotent on the server, and nothing keys it: so it is sent once, and a
  // lost response is resolved by looking at the job instead of sending it again.
  const before = await get(ctx, id, { includeResult: false, signal: options.signal });
  try {
    const reply = await ctx.transport.send(
      call(
        "retry_job",
        "POST",
        `/api/v1/jobs/${id}/retry`,
        (init) => raw.POST("/api/v1/jobs/{job_id}/retry", { params: { path: { job_id: id } }, body, ...init }),
        { retry: ctx.transport.retry.with({ maxRetries: 0 }) },
      ),
      options,
    );
    return parse(reply, "retry_job", (d: RawJob) => new Job(d));
  } catch (error) {
    if (!(error instanceof APIConnectionError) && !(error instanceof ServerError && [502, 504].includes(error.status))) throw error;
    const now = await get(ctx, id, { includeResult: false, signal: options.signal });
    if (now.updatedAt.getTime() !== before.updatedAt.getTime()) return now; // the lost one was applied
    // Not applied: sending it again cannot run the job twice.
    const reply = await ctx.transport.send(
      call("retry_job", "POST", `/api/v1/jobs/${id}/retry`, (init) =>
        raw.POST("/api/v1/jobs/{job_id}/retry", { params: { path: { job_id: id } }, body, ...init }),
      ),
      options,
    );
    return parse(reply, "retry_job", (d: RawJob) => new Job(d));
  }
}

/** DELETE /api/v1/jobs/{id}; 204 with no body. */
export async function remove(ctx: Context, jobId: unknown, options: RequestOptions = {}): Promise<void> {
  const id = checkJobId(jobId);
  const raw = ctx.transport.calls;
  let reply: Reply;
  try {
    reply = await ctx.transport.send(
      call("delete_job", "DELETE", `/api/v1/jobs/${id}`, (init) =>
        raw.DELETE("/api/v1/jobs/{job_id}", { params: { path: { job_id: id } }, ...init }),
      ),
      options,
    );
  } catch (error) {
    // After a lost response, 404 means our earlier attempt deleted it.
    if (error instanceof JobNotFoundError && error.afterAmbiguousAttempt) return;
    throw error;
  }
  if (reply.response.status !== 204) {
    // DELETE /api/v1 answers 200 with the API info: a 2xx that is not 204 is not a delete.
    throw new UnexpectedResponseError(`delete_job: expected 204, got ${reply.response.status}`, {
      status: reply.response.status,
      method: "DELETE",
      url: reply.response.url,
      headers: reply.response.headers,
      body: reply.text,
    });
  }
}

/** Options of list. */
export interface ListOptions extends RequestOptions {
  /** One state. */
  state?: string;
  /** One job type. */
  type?: string;
}

/** GET /api/v1/jobs: at most 100 jobs, newest first (the server's cap; it has no paging). */
export async function list(ctx: Context, options: ListOptions = {}): Promise<Job[]> {
  const query: { state?: string; type?: string } = {};
  if (options.state !== undefined) query.state = checkString(options.state, "state");
  if (options.type !== undefined) query.type = checkJobType(options.type, "type");
  const raw = ctx.transport.calls;
  const reply = await ctx.transport.send(
    call("list_jobs", "GET", "/api/v1/jobs", (init) => raw.GET("/api/v1/jobs", { params: { query }, ...init })),
    options,
  );
  return parse(reply, "list_jobs", (d: { jobs: RawJob[] }) => {
    if (!Array.isArray(d.jobs)) throw new ShapeError("jobs is not an array");
    return d.jobs.map((j) => new Job(j));
  });
}

/** GET /api/v1/stats. */
export async function stats(ctx: Context, options: RequestOptions = {}): Promise<QueueStats> {
  const raw = ctx.transport.calls;
  const reply = await ctx.transport.send(
    call("get_stats", "GET", "/api/v1/stats", (init) => raw.GET("/api/v1/stats", init)),
    options,
  );
  return parse(reply, "get_stats", (d: RawStats) => new QueueStats(d));
}

/** GET /health; an unhealthy server's 503 report is returned, not thrown. */
export async function health(ctx: Context, options: RequestOptions = {}): Promise<Health> {
  const raw = ctx.transport.calls;
  try {
    const reply = await ctx.transport.send(
      call("get_health", "GET", "/health", (init) => raw.GET("/health", init), { retry: ctx.transport.retry.with({ maxRetries: 0 }) }),
      options,
    );
    return parse(reply, "get_health", (d: RawHealth) => new Health(d));
  } catch (error) {
    const e = error as APIStatusError;
    if (e instanceof ServerError && e.status === 503 && typeof e.body === "object" && e.body !== null && "healthy" in e.body) {
      return new Health(e.body as RawHealth);
    }
    throw error;
  }
}

/** GET /ready or /live: true when the server says so, false on its 503. */
export async function probe(ctx: Context, which: "ready" | "live", options: RequestOptions = {}): Promise<boolean> {
  const raw = ctx.transport.calls;
  const path = which === "ready" ? "/ready" : "/live";
  try {
    const reply = await ctx.transport.send(
      call(`get_${which}`, "GET", path, (init) => raw.GET(path, init), { retry: ctx.transport.retry.with({ maxRetries: 0 }) }),
      options,
    );
    return parse(reply, `get_${which}`, (d: { ready?: boolean; alive?: boolean }) => (which === "ready" ? d.ready : d.alive) === true);
  } catch (error) {
    if (error instanceof ServerError && error.status === 503) return false;
    throw error;
  }
}
