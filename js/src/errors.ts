/**
 * The error tree, and the mapping to it from HTTP replies and transport failures.
 *
 * ```
 * GopherQueueError
 * ├── ValidationError                 bad input, refused before any request
 * │   └── BadRequestError             400 from the server (also an APIStatusError by `status`)
 * ├── APIError
 * │   ├── APIConnectionError          the request got no reply
 * │   │   └── APITimeoutError         ... because a timeout passed
 * │   ├── APIUserAbortError           the caller's AbortSignal fired
 * │   └── APIStatusError              the server answered with an error status
 * │       ├── AuthenticationError     401
 * │       ├── PermissionDeniedError   403
 * │       ├── NotFoundError           404
 * │       │   ├── JobNotFoundError    404 "job not found"
 * │       │   └── ResultNotReadyError 404 "result not found"
 * │       ├── ConflictError           409, and the server's 500 for retrying a job that is not failed
 * │       │   └── BatchConflictError  an atomic batch hit an existing idempotency key
 * │       ├── RateLimitError          429
 * │       ├── ServerError             5xx
 * │       └── UnexpectedResponseError a reply the protocol does not allow (non-JSON body, redirect)
 * ├── OutputDecodeError               JobResult.json() on output that is not JSON
 * ├── WaitTimeoutError                wait(..., { raiseOnTimeout: true }) ran out of time
 * └── JobFailedError                  wait(..., { raiseOnFailure: true }) saw the job fail
 * ```
 *
 * No message ever contains the API key: messages are built from the method, the path, the
 * status and a short excerpt of the body, never from request headers.
 */

import type { WaitResult } from "./models.js";

const EXCERPT = 200;

/** Base class of every error the SDK throws. */
export class GopherQueueError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Input the SDK refused before sending anything; `field` names the argument. */
export class ValidationError extends GopherQueueError {
  /** The argument at fault, such as `"jobId"` or `"jobs[3].type"`; null for the server's 400s. */
  readonly field: string | null;

  constructor(message: string, field: string | null = null) {
    super(message);
    this.field = field;
  }
}

// The server's own 400 replies are BadRequestError, an APIStatusError; they count as
// validation errors too, as in the Python SDK (where BadRequestError has both bases).
// `this` is the class on the right of `instanceof` (ValidationError or a subclass).
Object.defineProperty(ValidationError, Symbol.hasInstance, {
  value(this: typeof ValidationError, value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    return this === ValidationError && value instanceof BadRequestError;
  },
});

/** A request to the server failed. */
export class APIError extends GopherQueueError {
  /** The HTTP method of the failed request. */
  readonly method: string | undefined;
  /** The URL of the failed request, without its query. */
  readonly url: string | undefined;
  /** True when an earlier attempt of the same call failed in a way the server may have applied. */
  afterAmbiguousAttempt = false;

  constructor(message: string, init: { method?: string; url?: string; cause?: unknown } = {}) {
    super(message, { cause: init.cause });
    this.method = init.method;
    this.url = init.url;
  }
}

/** No reply: the connection failed, broke or closed before a response arrived (the server's 30 s write timeout included). */
export class APIConnectionError extends APIError {}

/** The per-attempt timeout or the call's total deadline passed before a reply arrived. */
export class APITimeoutError extends APIConnectionError {}

/** The caller's AbortSignal aborted the call; never retried. */
export class APIUserAbortError extends APIError {}

/** What an APIStatusError is built from. */
export interface StatusErrorInit {
  status: number;
  method: string;
  url: string;
  code?: string | null;
  body?: unknown;
  headers: Headers;
}

/** The server answered with an error status. */
export class APIStatusError extends APIError {
  /** The HTTP status code. */
  readonly status: number;
  /** The envelope's `error.code` (such as `"not_found"`); null when the body was not the envelope. */
  readonly code: string | null;
  /** The decoded JSON body, or the text when it was not JSON. */
  readonly body: unknown;
  /** The response headers. */
  readonly headers: Headers;
  /** The `X-Request-Id` response header. */
  readonly requestId: string | null;
  /** The server's message, or a description of the unexpected body. */
  readonly detail: string;

  constructor(detail: string, init: StatusErrorInit) {
    const requestId = init.headers.get("x-request-id");
    const code = init.code ?? null;
    super(`${init.status}${code ? ` ${code}` : ""}: ${detail}${requestId ? ` (request id ${requestId})` : ""}`, {
      method: init.method,
      url: init.url,
    });
    this.status = init.status;
    this.code = code;
    this.body = init.body;
    this.headers = init.headers;
    this.requestId = requestId;
    this.detail = detail;
  }
}

/** 400: the server refused the request as invalid (also `instanceof ValidationError`, with `field` null). */
export class BadRequestError extends APIStatusError {
  /** Always null: the server does not say which field. */
  readonly field: string | null = null;
}
/** 401: the API key is missing or wrong. */
export class AuthenticationError extends APIStatusError {}
/** 403: the API key may not do this. */
export class PermissionDeniedError extends APIStatusError {}
/** 404: the resource does not exist. */
export class NotFoundError extends APIStatusError {}
/** 404 `job not found`: no job has this id (or it was deleted). */
export class JobNotFoundError extends NotFoundError {}
/** 404 `result not found`: no attempt of the job has finished yet, or it never ran. */
export class ResultNotReadyError extends NotFoundError {}
/** 409 when cancelling a finished job; also the server's 500 for retrying a job that is not failed (status stays 500). */
export class ConflictError extends APIStatusError {}
/** 429: too many requests. */
export class RateLimitError extends APIStatusError {}
/** 5xx: the server (or a proxy in front of it) failed. */
export class ServerError extends APIStatusError {}
/** A reply the protocol does not allow: a non-JSON body, a redirect, an empty body where data was due. */
export class UnexpectedResponseError extends APIStatusError {}

/** An atomic batch hit an existing idempotency key; the server kept items `0..index-1` anyway. */
export class BatchConflictError extends ConflictError {
  /** The index of the conflicting item. */
  readonly index: number;

  constructor(detail: string, init: StatusErrorInit, index: number) {
    super(detail, init);
    this.index = index;
  }
}

/** A job's output could not be read as asked (`json()` on output that is not JSON). */
export class OutputDecodeError extends GopherQueueError {}

/** `wait(..., { raiseOnTimeout: true })` reached its timeout; `outcome` is what wait would have returned. */
export class WaitTimeoutError extends GopherQueueError {
  /** The timed-out outcome. */
  readonly outcome: WaitResult;

  constructor(message: string, outcome: WaitResult) {
    super(message);
    this.outcome = outcome;
  }
}

/** `wait(..., { raiseOnFailure: true })` saw the job end without success. */
export class JobFailedError extends GopherQueueError {
  /** The finished outcome; its `result` holds the error. */
  readonly outcome: WaitResult;

  constructor(message: string, outcome: WaitResult) {
    super(message);
    this.outcome = outcome;
  }
}

/** A short, printable excerpt of a response body, for messages. */
export function excerpt(text: string): string {
  const cut = text.slice(0, EXCERPT).trim();
  return cut + (text.length > EXCERPT ? "..." : "");
}

function envelope(body: unknown): { code: string | null; message: string | null } {
  if (typeof body === "object" && body !== null && !Array.isArray(body)) {
    const detail = (body as Record<string, unknown>).error;
    if (typeof detail === "object" && detail !== null) {
      const fields = detail as Record<string, unknown>;
      return {
        code: typeof fields.code === "string" ? fields.code : null,
        message: typeof fields.message === "string" ? fields.message : null,
      };
    }
  }
  return { code: null, message: null };
}

/**
 * Map an error reply to its error. `operation` is the spec's operationId: it tells which 404
 * means what, and turns the server's mislabelled 500 for `retry_job` into a ConflictError.
 */
export function statusError(
  response: { status: number; headers: Headers },
  text: string,
  request: { method: string; url: string },
  operation: string,
): APIStatusError {
  const status = response.status;
  const contentType = response.headers.get("content-type") ?? "";
  let body: unknown = text;
  if (text && contentType.includes("json")) {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  const { code } = envelope(body);
  let { message } = envelope(body);
  const init: StatusErrorInit = { status, code, body, headers: response.headers, ...request };
  if (status >= 300 && status < 400) {
    const location = response.headers.get("location") ?? "";
    return new UnexpectedResponseError(`unexpected redirect to ${JSON.stringify(location)} (the SDK never follows redirects)`, init);
  }
  if (message === null) {
    // Not the error envelope: Go's text/plain 404, a proxy's HTML page.
    message = `unexpected ${contentType || "no content type"} reply: ${text ? excerpt(text) : "empty body"}`;
    if (status < 500 && ![401, 403, 408, 429].includes(status)) {
      return new UnexpectedResponseError(message, init);
    }
  }
  if (status === 400) return new BadRequestError(message, init);
  if (status === 401) return new AuthenticationError(message, init);
  if (status === 403) return new PermissionDeniedError(message, init);
  if (status === 404) {
    if (message === "result not found") return new ResultNotReadyError(message, init);
    if (message === "job not found") return new JobNotFoundError(message, init);
    return new NotFoundError(message, init);
  }
  if (status === 409) return new ConflictError(message, init);
  if (status === 429) return new RateLimitError(message, init);
  if (status === 500 && code === "internal_error" && operation === "retry_job" && message.includes("current state")) {
    return new ConflictError(
      "the job cannot be retried in its current state (only failed or dead_letter jobs can be " +
        `retried; the server answered 500 internal_error: ${message})`,
      init,
    );
  }
  const batch = /^failed to create job (\d+): .*already exists/.exec(message);
  if (status === 500 && operation === "submit_batch" && batch) {
    const index = Number(batch[1]);
    return new BatchConflictError(
      `atomic batch item ${index} has an idempotency key that already exists; the server kept ` +
        `items 0..${index - 1} anyway (${message})`,
      init,
      index,
    );
  }
  if (status >= 500) return new ServerError(message, init);
  return new APIStatusError(message, init);
}
