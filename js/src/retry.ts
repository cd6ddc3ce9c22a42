/**
 * The retry policy: what is retried and how long to wait.
 *
 * Defaults: up to 2 retries on connection errors, timeouts, 408, 429, 502, 503 and 504 (and
 * 500 for GETs, which change nothing), full-jitter exponential backoff from 500 ms capped at
 * 8 s, a `Retry-After` header honoured up to 30 s. 409 and other 4xx answers are never retried.
 * Retrying a submit is safe because every submit carries an idempotency key that stays the
 * same across its retries: a retry after a lost response gets the existing job back.
 */

import { APIConnectionError, type APIError, APIStatusError, ServerError, ValidationError } from "./errors.js";

const RETRY_STATUSES = new Set([408, 429, 502, 503, 504]);

/** What an `onRetry` hook receives before each retry. */
export interface RetryEvent {
  /** The operationId being retried, such as `"submit_job"`. */
  operation: string;
  /** The retry about to happen: 1 for the first. */
  attempt: number;
  /** Milliseconds the SDK waits before it. */
  delay: number;
  /** Why the previous attempt failed. */
  error: APIError;
}

/** Options of a RetryPolicy; every time is in milliseconds. */
export interface RetryPolicyOptions {
  /** Retries after the first attempt; 0 disables retrying (default 2). */
  maxRetries?: number;
  /** The first retry waits up to this long; each further one up to twice as long (500). */
  backoffBase?: number;
  /** No backoff is longer than this (8000). */
  backoffMax?: number;
  /** A `Retry-After` header is honoured up to this long (30000). */
  retryAfterMax?: number;
  /** Called before each retry. */
  onRetry?: ((event: RetryEvent) => void) | null;
}

function checkCount(value: unknown, field: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new ValidationError(`${field} must be an integer >= 0, got ${String(value)}`, field);
  }
  return value;
}

/** A duration in milliseconds: finite and >= 0. */
export function checkMillis(value: unknown, field: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new ValidationError(`${field} must be a finite number of milliseconds >= 0, got ${String(value)}`, field);
  }
  return value;
}

/** How requests are retried; pass one (or its options) as `retry` to the client. */
export class RetryPolicy {
  readonly maxRetries: number;
  readonly backoffBase: number;
  readonly backoffMax: number;
  readonly retryAfterMax: number;
  readonly onRetry: ((event: RetryEvent) => void) | null;

  constructor(options: RetryPolicyOptions = {}) {
    this.maxRetries = checkCount(options.maxRetries ?? 2, "maxRetries");
    this.backoffBase = checkMillis(options.backoffBase ?? 500, "backoffBase");
    this.backoffMax = checkMillis(options.backoffMax ?? 8000, "backoffMax");
    this.retryAfterMax = checkMillis(options.retryAfterMax ?? 30000, "retryAfterMax");
    const hook = options.onRetry ?? null;
    if (hook !== null && typeof hook !== "function") throw new ValidationError("onRetry must be a function", "onRetry");
    this.onRetry = hook;
  }

  /** A copy with some options changed. */
  with(options: RetryPolicyOptions): RetryPolicy {
    return new RetryPolicy({ ...this, ...options });
  }

  /** Full-jitter backoff for the `retry`-th retry (1-based): uniform in [0, cap]. */
  backoff(retry: number, random: () => number = Math.random): number {
    const cap = Math.min(this.backoffMax, this.backoffBase * 2 ** (retry - 1));
    return cap * random();
  }

  /** Whether `error` may be retried for a request with this HTTP method. */
  isRetryable(error: APIError, method: string): boolean {
    if (error instanceof APIConnectionError) return true;
    if (error instanceof APIStatusError) {
      if (RETRY_STATUSES.has(error.status)) return true;
      // A 500 may have been half applied, so only requests that change nothing repeat it.
      return error.status === 500 && error instanceof ServerError && method === "GET";
    }
    return false;
  }

  /** Milliseconds to wait before the `retry`-th retry after `error`. */
  delayFor(error: APIError, retry: number): number {
    if (error instanceof APIStatusError) {
      const after = retryAfterMillis(error.headers.get("retry-after"));
      if (after !== null) return Math.min(after, this.retryAfterMax);
    }
    return this.backoff(retry);
  }
}

/** Parse a `Retry-After` header (delta-seconds or an HTTP date) into milliseconds; null if absent or bad. */
export function retryAfterMillis(value: string | null, now: () => number = Date.now): number | null {
  if (!value) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!/[A-Za-z]/.test(text)) return null;
  const when = Date.parse(text);
  return Number.isNaN(when) ? null : Math.max(0, when - now());
}
