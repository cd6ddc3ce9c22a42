/**
 * The SDK's models: the wire JSON (the generated schema types) turned into camelCase objects,
 * with base64 outputs decoded, nanosecond durations converted to milliseconds and timestamps
 * parsed. Every model has `toJSON()` (plain camelCase data, timestamps as ISO strings) and
 * `raw`, the wire object as received.
 */

import { OutputDecodeError } from "./errors.js";
import type { components } from "./generated/schema.js";

type Schemas = components["schemas"];
/** The wire shapes, as the generator produced them from openapi.yaml. */
export type RawJob = Schemas["Job"];
export type RawJobResult = Schemas["JobResult"];
export type RawWaitResponse = Schemas["WaitResponse"];
export type RawBatchResponse = Schemas["BatchResponse"];
export type RawStats = Schemas["Stats"];
export type RawHealth = Schemas["Health"];
export type RawSubmitJobRequest = Schemas["SubmitJobRequest"];

/** Job states the server uses; other strings may appear from newer servers and are kept as they are. */
export type JobState =
  | "pending"
  | "scheduled"
  | "running"
  | "delayed"
  | "retrying"
  | "completed"
  | "failed"
  | "dead_letter"
  | "cancelled"
  | (string & {});

/** Error categories of a failed attempt. */
export type ErrorCategory = "temporary" | "permanent" | "timeout" | (string & {});

/** Priority names; lower numbers run first, any integer is accepted. */
export const Priority = { CRITICAL: 0, HIGH: 1, NORMAL: 2, LOW: 3, BULK: 4 } as const;

const TERMINAL = new Set(["completed", "failed", "dead_letter", "cancelled"]);

/** Whether a state is terminal for waiting purposes (completed, failed, dead_letter, cancelled). */
export function isTerminal(state: string): boolean {
  return TERMINAL.has(state);
}

/** A wire reply whose shape the protocol does not allow; turned into UnexpectedResponseError by the caller. */
export class ShapeError extends Error {}

function need<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null) throw new ShapeError(`missing ${what}`);
  return value;
}

function num(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isFinite(value)) throw new ShapeError(`${what} is not a number`);
  return value;
}

function str(value: unknown, what: string): string {
  if (typeof value !== "string") throw new ShapeError(`${what} is not a string`);
  return value;
}

/** An RFC 3339 timestamp (up to 9 fractional digits, any offset) as a Date. */
export function parseTime(value: unknown, what: string): Date {
  // One parse: new Date(text) reads the text as Date.parse does.
  const date = new Date(str(value, what));
  if (Number.isNaN(date.getTime())) throw new ShapeError(`${what} is not an RFC 3339 timestamp`);
  return date;
}

function optTime(value: unknown, what: string): Date | null {
  return value === undefined || value === null ? null : parseTime(value, what);
}

/** Go nanoseconds to milliseconds (fractional). */
export function nanosToMillis(value: unknown, what: string): number {
  return num(value, what) / 1e6;
}

/** Standard padded base64 to bytes, without Node's Buffer (edge runtimes have atob). */
export function decodeBase64(value: string): Uint8Array {
  let binary: string;
  try {
    binary = atob(value);
  } catch (cause) {
    throw new ShapeError(`output is not base64: ${String(cause)}`);
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

const decoder = new TextDecoder();

/** The outcome of one finished attempt of a job. */
export class JobResult {
  readonly jobId: string;
  readonly success: boolean;
  /** The handler's output, decoded from base64; empty when it produced none. */
  readonly output: Uint8Array;
  readonly error: string | null;
  readonly errorCategory: ErrorCategory | null;
  /** How long the attempt ran, in milliseconds (the server sends nanoseconds). */
  readonly duration: number;
  readonly completedAt: Date;
  /** The wire object. */
  readonly raw: RawJobResult;

  constructor(raw: RawJobResult) {
    this.raw = raw;
    this.jobId = str(raw.job_id, "job_id");
    this.success = raw.success === true;
    this.output = raw.output ? decodeBase64(str(raw.output, "output")) : new Uint8Array();
    this.error = raw.error ?? null;
    this.errorCategory = raw.error_category ?? null;
    this.duration = nanosToMillis(raw.duration, "duration");
    this.completedAt = parseTime(raw.completed_at, "completed_at");
  }

  /** The output as UTF-8 text. */
  text(): string {
    return decoder.decode(this.output);
  }

  /** The output parsed as JSON; OutputDecodeError when it is not JSON. */
  json(): unknown {
    const text = this.text();
    try {
      return JSON.parse(text);
    } catch (cause) {
      throw new OutputDecodeError(`job ${this.jobId}: output is not JSON (${String(cause)})`);
    }
  }

  /** Plain data: the output as text, timestamps as ISO strings. */
  toJSON(): Record<string, unknown> {
    return {
      jobId: this.jobId,
      success: this.success,
      output: this.text(),
      error: this.error,
      errorCategory: this.errorCategory,
      duration: this.duration,
      completedAt: this.completedAt.toISOString(),
    };
  }
}

/** A job as the server reports it. */
export class Job {
  readonly id: string;
  readonly type: string;
  readonly state: JobState;
  readonly priority: number;
  readonly attempt: number;
  readonly maxAttempts: number;
  /** Progress in percent (the real server never reports it: always 0 there). */
  readonly progress: number;
  readonly progressMessage: string | null;
  readonly tags: Record<string, string>;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly scheduledAt: Date | null;
  readonly startedAt: Date | null;
  readonly completedAt: Date | null;
  readonly lastError: string | null;
  /** The latest attempt's result, when `get` fetched it for a finished job. */
  readonly result: JobResult | null;
  /** True when submit got the existing job back for a reused idempotency key (200, not 201). */
  readonly replayed: boolean;
  /** The wire object. */
  readonly raw: RawJob;

  constructor(raw: RawJob, extra: { result?: JobResult | null; replayed?: boolean } = {}) {
    this.raw = raw;
    this.id = str(raw.id, "id");
    this.type = str(raw.type, "type");
    this.state = str(raw.state, "state");
    this.priority = num(raw.priority, "priority");
    this.attempt = num(raw.attempt, "attempt");
    this.maxAttempts = num(raw.max_attempts, "max_attempts");
    this.progress = raw.progress ?? 0;
    this.progressMessage = raw.progress_message ?? null;
    this.tags = raw.tags ? { ...raw.tags } : {};
    this.createdAt = parseTime(raw.created_at, "created_at");
    this.updatedAt = parseTime(raw.updated_at, "updated_at");
    this.scheduledAt = optTime(raw.scheduled_at, "scheduled_at");
    this.startedAt = optTime(raw.started_at, "started_at");
    this.completedAt = optTime(raw.completed_at, "completed_at");
    this.lastError = raw.last_error ?? null;
    this.result = extra.result ?? null;
    this.replayed = extra.replayed ?? false;
  }

  /** Whether the job is in a terminal state. */
  get isFinished(): boolean {
    return isTerminal(this.state);
  }

  /** Plain data, timestamps as ISO strings. */
  toJSON(): Record<string, unknown> {
    const iso = (d: Date | null) => (d ? d.toISOString() : null);
    return {
      id: this.id,
      type: this.type,
      state: this.state,
      priority: this.priority,
      attempt: this.attempt,
      maxAttempts: this.maxAttempts,
      progress: this.progress,
      progressMessage: this.progressMessage,
      tags: this.tags,
      createdAt: iso(this.createdAt),
      updatedAt: iso(this.updatedAt),
      scheduledAt: iso(this.scheduledAt),
      startedAt: iso(this.startedAt),
      completedAt: iso(this.completedAt),
      lastError: this.lastError,
      result: this.result ? this.result.toJSON() : null,
      replayed: this.replayed,
    };
  }
}

/** What `wait` returns: finished (`completed`) or not (`timedOut`). */
export class WaitResult {
  readonly jobId: string;
  readonly state: JobState;
  /** The job reached a terminal state. */
  readonly completed: boolean;
  /** The job completed and its last attempt succeeded. */
  readonly success: boolean;
  /** The wait ended before the job finished. */
  readonly timedOut: boolean;
  /** The last attempt's result, when there is one. */
  readonly result: JobResult | null;

  constructor(init: {
    jobId: string;
    state: JobState;
    completed: boolean;
    success: boolean;
    timedOut: boolean;
    result: JobResult | null;
  }) {
    this.jobId = init.jobId;
    this.state = init.state;
    this.completed = init.completed;
    this.success = init.success;
    this.timedOut = init.timedOut;
    this.result = init.result;
  }

  /** From the wire reply of POST /jobs/{id}/wait. */
  static fromApi(raw: RawWaitResponse): WaitResult {
    return new WaitResult({
      jobId: str(raw.id, "id"),
      state: str(raw.state, "state"),
      completed: raw.completed === true,
      success: raw.success === true,
      timedOut: raw.timed_out === true,
      result: raw.result ? new JobResult(raw.result) : null,
    });
  }

  /** Plain data. */
  toJSON(): Record<string, unknown> {
    return {
      jobId: this.jobId,
      state: this.state,
      completed: this.completed,
      success: this.success,
      timedOut: this.timedOut,
      result: this.result ? this.result.toJSON() : null,
    };
  }
}

/** One item of a batch reply. */
export class BatchItem {
  /** The item's index in the list given to submitBatch. */
  readonly index: number;
  readonly success: boolean;
  /** The created job; null for a rejected item (the server sends a zero-valued job there). */
  readonly job: Job | null;
  readonly error: string | null;

  constructor(index: number, success: boolean, job: Job | null, error: string | null) {
    this.index = index;
    this.success = success;
    this.job = job;
    this.error = error;
  }

  /** Plain data. */
  toJSON(): Record<string, unknown> {
    return { index: this.index, success: this.success, job: this.job?.toJSON() ?? null, error: this.error };
  }
}

/** What `submitBatch` returns (chunks of a large non-atomic batch merged into one). */
export class BatchResult {
  readonly total: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly results: BatchItem[];

  constructor(total: number, accepted: number, rejected: number, results: BatchItem[]) {
    this.total = total;
    this.accepted = accepted;
    this.rejected = rejected;
    this.results = results;
  }

  /** The created jobs, in order. */
  get jobs(): Job[] {
    return this.results.flatMap((item) => (item.success && item.job ? [item.job] : []));
  }

  /** The rejected items. */
  get errors(): BatchItem[] {
    return this.results.filter((item) => !item.success);
  }

  /** From one wire reply; `offset` shifts indexes for a chunk of a larger batch. */
  static fromApi(raw: RawBatchResponse, offset = 0): BatchResult {
    const items = need(raw.results, "results").map((item) => {
      const ok = item.success === true;
      const job = ok ? new Job(item.job) : null;
      return new BatchItem(num(item.index, "index") + offset, ok, job, item.error ?? null);
    });
    return new BatchResult(num(raw.total, "total"), num(raw.accepted, "accepted"), num(raw.rejected, "rejected"), items);
  }

  /** Several chunks' results as one. */
  static merge(parts: BatchResult[]): BatchResult {
    return new BatchResult(
      parts.reduce((n, p) => n + p.total, 0),
      parts.reduce((n, p) => n + p.accepted, 0),
      parts.reduce((n, p) => n + p.rejected, 0),
      parts.flatMap((p) => p.results),
    );
  }

  /** Plain data. */
  toJSON(): Record<string, unknown> {
    return {
      total: this.total,
      accepted: this.accepted,
      rejected: this.rejected,
      results: this.results.map((r) => r.toJSON()),
    };
  }
}

/** The workers' counters from /api/v1/stats; times in milliseconds. */
export interface WorkerStats {
  totalWorkers: number;
  activeWorkers: number;
  idleWorkers: number;
  queuedJobs: number;
  processedJobs: number;
  succeededJobs: number;
  failedJobs: number;
  retriedJobs: number;
  avgProcessingTime: number;
  maxProcessingTime: number;
  p99ProcessingTime: number;
  processingIds: string[];
  uptime: number;
  healthy: boolean;
}

/** Queue counters from /api/v1/stats (the guide's `stats.pending`, `stats.running`). */
export class QueueStats {
  readonly pending: number;
  readonly scheduled: number;
  readonly running: number;
  readonly delayed: number;
  readonly completed: number;
  readonly failed: number;
  readonly deadLetter: number;
  readonly cancelled: number;
  readonly totalJobs: number;
  readonly storageBytes: number;
  readonly timestamp: Date;
  readonly workers: WorkerStats;
  /** The wire object. */
  readonly raw: RawStats;

  constructor(raw: RawStats) {
    this.raw = raw;
    const q = need(raw.queue, "queue");
    const w = need(raw.workers, "workers");
    this.pending = num(q.pending, "pending");
    this.scheduled = num(q.scheduled, "scheduled");
    this.running = num(q.running, "running");
    this.delayed = num(q.delayed, "delayed");
    this.completed = num(q.completed, "completed");
    this.failed = num(q.failed, "failed");
    this.deadLetter = num(q.dead_letter, "dead_letter");
    this.cancelled = num(q.cancelled, "cancelled");
    this.totalJobs = num(q.total_jobs, "total_jobs");
    this.storageBytes = num(q.storage_bytes, "storage_bytes");
    this.timestamp = parseTime(q.timestamp, "timestamp");
    this.workers = {
      totalWorkers: num(w.total_workers, "total_workers"),
      activeWorkers: num(w.active_workers, "active_workers"),
      idleWorkers: num(w.idle_workers, "idle_workers"),
      queuedJobs: num(w.queued_jobs, "queued_jobs"),
      processedJobs: num(w.processed_jobs, "processed_jobs"),
      succeededJobs: num(w.succeeded_jobs, "succeeded_jobs"),
      failedJobs: num(w.failed_jobs, "failed_jobs"),
      retriedJobs: num(w.retried_jobs, "retried_jobs"),
      avgProcessingTime: nanosToMillis(w.avg_processing_time, "avg_processing_time"),
      maxProcessingTime: nanosToMillis(w.max_processing_time, "max_processing_time"),
      p99ProcessingTime: nanosToMillis(w.p99_processing_time ?? 0, "p99_processing_time"),
      processingIds: [...(w.processing_ids ?? [])],
      uptime: nanosToMillis(w.uptime, "uptime"),
      healthy: w.healthy === true,
    };
  }

  /** Plain data. */
  toJSON(): Record<string, unknown> {
    return {
      pending: this.pending,
      scheduled: this.scheduled,
      running: this.running,
      delayed: this.delayed,
      completed: this.completed,
      failed: this.failed,
      deadLetter: this.deadLetter,
      cancelled: this.cancelled,
      totalJobs: this.totalJobs,
      storageBytes: this.storageBytes,
      timestamp: this.timestamp.toISOString(),
      workers: { ...this.workers },
    };
  }
}

/** One component of /health; latency in milliseconds. */
export interface HealthComponent {
  healthy: boolean;
  latency: number | null;
  message: string | null;
}

/** The /health report (a 503 report is returned, not thrown). */
export class Health {
  readonly healthy: boolean;
  readonly components: Record<string, HealthComponent>;
  readonly timestamp: Date;
  /** The wire object. */
  readonly raw: RawHealth;

  constructor(raw: RawHealth) {
    this.raw = raw;
    this.healthy = raw.healthy === true;
    this.components = {};
    for (const [name, c] of Object.entries(need(raw.components, "components"))) {
      this.components[name] = {
        healthy: c.healthy === true,
        latency: c.latency === undefined ? null : nanosToMillis(c.latency, "latency"),
        message: c.message ?? null,
      };
    }
    this.timestamp = parseTime(raw.timestamp, "timestamp");
  }

  /** Plain data. */
  toJSON(): Record<string, unknown> {
    return { healthy: this.healthy, components: this.components, timestamp: this.timestamp.toISOString() };
  }
}
