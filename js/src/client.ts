/**
 * GopherQueue: the client. Every method forwards to one operation in operations.ts or
 * events.ts; the client holds only settings and the transport.
 */

import { checkString, checkTags } from "./checks.js";
import { ValidationError } from "./errors.js";
import { type Event, type EventsOptions, events } from "./events.js";
import type { BatchResult, Health, Job, JobResult, QueueStats, WaitResult } from "./models.js";
import {
  type BatchOptions,
  type CancelOptions,
  type Context,
  cancel,
  type GetOptions,
  get,
  health,
  type JobSpec,
  type ListOptions,
  list,
  probe,
  type RetryJobOptions,
  remove,
  result,
  retry,
  type SubmitOptions,
  stats,
  submit,
  submitBatch,
  WAIT_CHUNK_MAX,
  type WaitOptions,
  type WatchOptions,
  wait,
  watch,
} from "./operations.js";
import { checkMillis, RetryPolicy, type RetryPolicyOptions } from "./retry.js";
import { type RawClient, type RequestOptions, Transport } from "./transport.js";

/** Options of the client; every time is in milliseconds. */
export interface ClientOptions {
  /** Sent as `X-API-Key`; never in messages or `console` output. */
  apiKey?: string | null;
  /** Per-attempt timeout (default 30000); wait's long polls get their own. */
  timeout?: number;
  /** Total time for one call with its retries (default: none beyond the retry policy). */
  deadline?: number | null;
  /** Retry policy, or its options (default: 2 retries, full-jitter backoff from 500 ms). */
  retry?: RetryPolicy | RetryPolicyOptions;
  /** Shorthand for `retry: { maxRetries }`. */
  maxRetries?: number;
  /** The fetch to use (default: the platform's `fetch`). */
  fetch?: typeof globalThis.fetch;
  /** Extra headers for every request. */
  headers?: Record<string, string>;
  /** Longest single long poll of wait (default and maximum 28000, below the server's 30 s cut). */
  waitChunk?: number;
  /** Give each submit a random idempotency key when none is given (default true). */
  autoIdempotencyKey?: boolean;
}

/** Options of submitAndWait: the submit's, and `wait` for the wait. */
export interface SubmitAndWaitOptions extends SubmitOptions {
  /** Options of the wait (its timeout in ms, raiseOnFailure, ...). */
  wait?: WaitOptions;
}

function checkUrl(url: unknown): string {
  if (typeof url !== "string") throw new ValidationError("url must be a string such as http://localhost:8080", "url");
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ValidationError(`url is not a URL: ${JSON.stringify(url)}`, "url");
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
    throw new ValidationError(`url must be http or https, got ${parsed.protocol}`, "url");
  if (parsed.username || parsed.password) throw new ValidationError("url must not carry credentials; use apiKey", "url");
  if (parsed.search || parsed.hash) throw new ValidationError("url must not have a query or fragment", "url");
  return parsed.toString().replace(/\/+$/, "");
}

/** A handle on one job: the client's per-job operations without repeating the id. */
export class JobHandle {
  /** The job id. */
  readonly id: string;
  readonly #client: GopherQueue;

  constructor(client: GopherQueue, id: string) {
    this.#client = client;
    this.id = id;
  }

  /** See GopherQueue.get. */
  get(options?: GetOptions): Promise<Job> {
    return this.#client.get(this.id, options);
  }
  /** See GopherQueue.wait. */
  wait(options?: WaitOptions): Promise<WaitResult> {
    return this.#client.wait(this.id, options);
  }
  /** See GopherQueue.result. */
  result(options?: RequestOptions): Promise<JobResult> {
    return this.#client.result(this.id, options);
  }
  /** See GopherQueue.cancel. */
  cancel(options?: CancelOptions): Promise<Job> {
    return this.#client.cancel(this.id, options);
  }
  /** See GopherQueue.retry. */
  retry(options?: RetryJobOptions): Promise<Job> {
    return this.#client.retry(this.id, options);
  }
  /** See GopherQueue.delete. */
  delete(options?: RequestOptions): Promise<void> {
    return this.#client.delete(this.id, options);
  }
  /** See GopherQueue.watch. */
  watch(options?: WatchOptions): AsyncGenerator<Job, void, undefined> {
    return this.#client.watch(this.id, options);
  }
  /** See GopherQueue.events with `jobId`. */
  events(options?: Omit<EventsOptions, "jobId">): AsyncGenerator<Event, void, undefined> {
    return this.#client.events({ ...options, jobId: this.id });
  }
}

/**
 * The GopherQueue client (async only, as the guide says).
 *
 * ```ts
 * const client = new GopherQueue("http://localhost:8080", { apiKey, timeout: 60000 });
 * const job = await client.submit("email", { to: "user@example.com" });
 * const result = await client.wait(job.id, { timeout: 30000 });
 * ```
 */
export class GopherQueue {
  /** The server's base URL. */
  readonly url: string;
  /** The retry policy in force. */
  readonly retryPolicy: RetryPolicy;
  readonly #ctx: Context;
  readonly #options: ClientOptions;

  constructor(url: string, options: ClientOptions = {}) {
    if (typeof options !== "object" || options === null) throw new ValidationError("options must be an object", "options");
    this.url = checkUrl(url);
    const apiKey = options.apiKey === undefined || options.apiKey === null ? null : checkString(options.apiKey, "apiKey");
    const timeout = checkMillis(options.timeout ?? 30_000, "timeout");
    const deadline = options.deadline === undefined || options.deadline === null ? null : checkMillis(options.deadline, "deadline");
    let policy = options.retry instanceof RetryPolicy ? options.retry : new RetryPolicy(options.retry ?? {});
    if (options.maxRetries !== undefined) policy = policy.with({ maxRetries: options.maxRetries });
    const waitChunk = checkMillis(options.waitChunk ?? WAIT_CHUNK_MAX, "waitChunk");
    if (waitChunk === 0 || waitChunk > WAIT_CHUNK_MAX)
      throw new ValidationError(`waitChunk must be in (0, ${WAIT_CHUNK_MAX}] ms`, "waitChunk");
    const fetchFn = options.fetch ?? globalThis.fetch;
    if (typeof fetchFn !== "function") throw new ValidationError("fetch must be a function (this runtime has no global fetch)", "fetch");
    const headers = options.headers === undefined ? {} : checkTags(options.headers, "headers");
    this.retryPolicy = policy;
    this.#options = { ...options };
    this.#ctx = {
      transport: new Transport({ baseUrl: this.url, apiKey, fetch: fetchFn, timeout, deadline, retry: policy, headers }),
      waitChunk,
      autoIdempotencyKey: options.autoIdempotencyKey ?? true,
    };
  }

  /** A copy with some options changed (same key unless `apiKey` is given). */
  withOptions(options: ClientOptions): GopherQueue {
    return new GopherQueue(this.url, { ...this.#options, ...options });
  }

  /** The generated openapi-fetch client with this client's base URL, key and fetch, for calls the SDK does not cover. */
  get raw(): RawClient {
    return this.#ctx.transport.raw;
  }

  /** Submit a job; retried safely (one idempotency key across retries). */
  submit(jobType: string, payload?: unknown, options?: SubmitOptions): Promise<Job> {
    return submit(this.#ctx, jobType, payload, options);
  }

  /** Submit many jobs; `atomic` (at most 1000) or split into chunks of 1000. */
  submitBatch(jobs: JobSpec[], options?: BatchOptions): Promise<BatchResult> {
    return submitBatch(this.#ctx, jobs, options);
  }

  /** A job, with its result when it has finished (unless `includeResult: false`). */
  get(jobId: string, options?: GetOptions): Promise<Job> {
    return get(this.#ctx, jobId, options);
  }

  /** At most 100 jobs, newest first, optionally of one `state` and `type`. */
  list(options?: ListOptions): Promise<Job[]> {
    return list(this.#ctx, options);
  }

  /** The latest attempt's result; ResultNotReadyError before one finished. */
  result(jobId: string, options?: RequestOptions): Promise<JobResult> {
    return result(this.#ctx, jobId, options);
  }

  /** Wait until the job finishes or `timeout` ms pass (long polls below the server's 30 s cut). */
  wait(jobId: string, options?: WaitOptions): Promise<WaitResult> {
    return wait(this.#ctx, jobId, options);
  }

  /** The job each time it changes, ending with its terminal state. */
  watch(jobId: string, options?: WatchOptions): AsyncGenerator<Job, void, undefined> {
    return watch(this.#ctx, jobId, options);
  }

  /** Cancel a job (409 ConflictError when it has finished). */
  cancel(jobId: string, options?: CancelOptions): Promise<Job> {
    return cancel(this.#ctx, jobId, options);
  }

  /** Run a failed or dead-lettered job again (others: ConflictError). */
  retry(jobId: string, options?: RetryJobOptions): Promise<Job> {
    return retry(this.#ctx, jobId, options);
  }

  /** Delete a job; its idempotency key is freed. */
  delete(jobId: string, options?: RequestOptions): Promise<void> {
    return remove(this.#ctx, jobId, options);
  }

  /** Queue and worker counters. */
  stats(options?: RequestOptions): Promise<QueueStats> {
    return stats(this.#ctx, options);
  }

  /** The /health report. */
  health(options?: RequestOptions): Promise<Health> {
    return health(this.#ctx, options);
  }

  /** Whether /ready says ready. */
  ready(options?: RequestOptions): Promise<boolean> {
    return probe(this.#ctx, "ready", options);
  }

  /** Whether /live says alive. */
  live(options?: RequestOptions): Promise<boolean> {
    return probe(this.#ctx, "live", options);
  }

  /** The event stream, reconnecting across the server's 30 s cuts. */
  events(options?: EventsOptions): AsyncGenerator<Event, void, undefined> {
    return events(this.#ctx, options);
  }

  /** A handle on one job. */
  job(jobId: string): JobHandle {
    return new JobHandle(this, jobId);
  }

  /** Submit, then wait for the job to finish. */
  async submitAndWait(jobType: string, payload?: unknown, options: SubmitAndWaitOptions = {}): Promise<WaitResult> {
    const { wait: waitOptions, ...submitOptions } = options;
    const job = await this.submit(jobType, payload, submitOptions);
    return this.wait(job.id, { signal: submitOptions.signal, ...waitOptions });
  }

  /** Wait for every job (concurrently); results in the order of `jobIds`. */
  waitAll(jobIds: string[], options?: WaitOptions): Promise<WaitResult[]> {
    if (!Array.isArray(jobIds)) throw new ValidationError("jobIds must be an array", "jobIds");
    return Promise.all(jobIds.map((id) => this.wait(id, options)));
  }

  /** Wait for every job (concurrently), yielding each outcome as it arrives. */
  async *asCompleted(jobIds: string[], options?: WaitOptions): AsyncGenerator<WaitResult, void, undefined> {
    if (!Array.isArray(jobIds)) throw new ValidationError("jobIds must be an array", "jobIds");
    const pending = new Map<number, Promise<[number, WaitResult]>>();
    jobIds.forEach((id, i) => {
      pending.set(
        i,
        this.wait(id, options).then((r) => [i, r] as [number, WaitResult]),
      );
    });
    while (pending.size > 0) {
      const [i, outcome] = await Promise.race(pending.values());
      pending.delete(i);
      yield outcome;
    }
  }

  /** What console.log shows: the URL, never the key. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `GopherQueue { url: '${this.url}' }`;
  }

  /** What JSON.stringify shows: the URL, never the key. */
  toJSON(): { url: string } {
    return { url: this.url };
  }
}
