/**
 * The transport: the generated openapi-fetch client bound to the base URL, the key and the
 * fetch, and `send`, which runs one call with per-attempt timeouts, a total deadline, the
 * caller's AbortSignal and the retry policy. No `node:` imports: this runs on edge runtimes.
 */

import createClient, { type Client } from "openapi-fetch";
import { APIConnectionError, type APIError, APIStatusError, APITimeoutError, APIUserAbortError, statusError } from "./errors.js";
import type { paths } from "./generated/schema.js";
import type { RetryPolicy } from "./retry.js";
import { VERSION } from "./version.js";

/** The generated client: `raw.GET("/api/v1/jobs/{id}", { params: { path: { id } } })`. */
export type RawClient = Client<paths>;

/** Per-request options the generated functions take (a subset of openapi-fetch's). */
export type AttemptInit = {
  signal: AbortSignal;
  parseAs: "text" | "stream";
  redirect: "manual";
};

/** What one generated call resolves to, as openapi-fetch returns it. */
export interface RawReply {
  data?: unknown;
  error?: unknown;
  response: Response;
}

/** A 2xx reply: the response and its body text (empty for 204), and whether an earlier attempt may have been applied. */
export interface Reply {
  response: Response;
  text: string;
  ambiguous: boolean;
  stream: ReadableStream<Uint8Array> | null;
  /** Detaches the caller's signal from a streamed body; call it once the stream is done (a no-op otherwise). */
  release: () => void;
}

/** Settings a transport is made from (the client's options, checked). */
export interface TransportSettings {
  baseUrl: string;
  apiKey: string | null;
  fetch: typeof globalThis.fetch;
  timeout: number;
  deadline: number | null;
  retry: RetryPolicy;
  headers: Record<string, string>;
}

/** One call: operation name, method, path (for messages), and the generated call to make. */
export interface Call {
  operation: string;
  method: string;
  path: string;
  send: (init: AttemptInit) => Promise<RawReply>;
  /** Overrides the per-attempt timeout (wait's long polls). */
  timeout?: number;
  /** Overrides the client's retry policy. */
  retry?: RetryPolicy;
  /** Streams the body instead of reading it (SSE); the timeout covers only the headers then. */
  stream?: boolean;
}

/** Options every operation takes. */
export interface RequestOptions {
  /** Aborts the call (APIUserAbortError); never retried. */
  signal?: AbortSignal;
  /** Total milliseconds for the call, retries and backoff included. */
  deadline?: number;
}

const REFUSED = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "UND_ERR_CONNECT_TIMEOUT"]);

function causeCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === "object" && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Sleep `ms`, or until the signal aborts (then rejects with its reason). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

class DeadlineReached extends Error {}

const noop = (): void => undefined;

/**
 * What the SDK's calls hand openapi-fetch in place of `Request`: the URL and the init, kept
 * as they are. openapi-fetch reads only `method` from it (no middleware is installed on the
 * client that uses it).
 */
class Prepared {
  readonly url: string;
  readonly init: RequestInit;
  readonly method: string;
  constructor(url: string, init: RequestInit) {
    this.url = url;
    this.init = init;
    this.method = (init.method ?? "GET").toUpperCase();
  }
}

/** The HTTP side of a client. */
export class Transport {
  readonly baseUrl: string;
  readonly timeout: number;
  readonly deadline: number | null;
  readonly retry: RetryPolicy;
  /** The generated client with the base URL, key and fetch (`client.raw`: real Requests, middleware). */
  readonly raw: RawClient;
  /** The same generated client for the SDK's own calls: `fetch(url, init)`, no Request built. */
  readonly calls: RawClient;

  constructor(settings: TransportSettings) {
    this.baseUrl = settings.baseUrl;
    this.timeout = settings.timeout;
    this.deadline = settings.deadline;
    this.retry = settings.retry;
    const headers: Record<string, string> = {
      "User-Agent": `gopherqueue-js/${VERSION}`,
      Accept: "application/json",
      ...settings.headers,
    };
    if (settings.apiKey !== null) headers["X-API-Key"] = settings.apiKey;
    // The key lives only in the generated clients' closures: nothing enumerable holds it.
    this.raw = createClient<paths>({ baseUrl: settings.baseUrl, fetch: settings.fetch, headers });
    const fetch = settings.fetch;
    this.calls = createClient<paths>({
      baseUrl: settings.baseUrl,
      headers,
      // openapi-fetch calls `new Request(url, init)`, then `fetch(request)`; a Request costs a
      // body stream and a second, linked AbortSignal, and fetch copies it once more. The SDK's
      // own calls build this instead and hand fetch the URL and init as they are.
      Request: Prepared as unknown as typeof Request,
      fetch: (request) => fetch((request as unknown as Prepared).url, (request as unknown as Prepared).init),
    });
  }

  /** Run `call` with retries; resolve to the 2xx reply or reject with the mapped error. */
  async send(call: Call, options: RequestOptions = {}): Promise<Reply> {
    const policy = call.retry ?? this.retry;
    const total = options.deadline ?? this.deadline;
    const endAt = total === null ? null : Date.now() + total;
    let ambiguous = false;
    for (let attempt = 0; ; attempt++) {
      let error: APIError;
      try {
        const reply = await this.attempt(call, options.signal, endAt);
        reply.ambiguous = ambiguous;
        return reply;
      } catch (caught) {
        if (!(caught instanceof Error) || !("method" in caught)) throw caught;
        error = caught as APIError;
      }
      error.afterAmbiguousAttempt = ambiguous;
      if (error instanceof APIUserAbortError) throw error;
      if (attempt >= policy.maxRetries || !policy.isRetryable(error, call.method)) throw error;
      const delay = policy.delayFor(error, attempt + 1);
      if (endAt !== null && Date.now() + delay >= endAt) throw error;
      ambiguous ||= maybeApplied(error, call.method);
      policy.onRetry?.({ operation: call.operation, attempt: attempt + 1, delay, error });
      try {
        await sleep(delay, options.signal);
      } catch (reason) {
        throw new APIUserAbortError(`${call.operation}: aborted`, { method: call.method, url: this.url(call), cause: reason });
      }
    }
  }

  private url(call: Call): string {
    return this.baseUrl + call.path;
  }

  /** The method and URL errors of `call` carry (built only when one is thrown). */
  private where(call: Call): { method: string; url: string } {
    return { method: call.method, url: this.url(call) };
  }

  private async attempt(call: Call, signal: AbortSignal | undefined, endAt: number | null): Promise<Reply> {
    if (signal?.aborted) throw new APIUserAbortError(`${call.operation}: aborted`, { ...this.where(call), cause: signal.reason });
    const controller = new AbortController();
    let limit = call.timeout ?? this.timeout;
    if (endAt !== null) limit = Math.min(limit, Math.max(0, endAt - Date.now()));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new DeadlineReached("timeout"));
    }, limit);
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    let raw: RawReply;
    try {
      raw = await call.send({
        signal: controller.signal,
        parseAs: call.stream ? "stream" : "text",
        redirect: "manual",
      });
    } catch (cause) {
      if (call.stream) {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
      }
      const where = this.where(call);
      if (signal?.aborted) throw new APIUserAbortError(`${call.operation}: aborted`, { ...where, cause });
      if (timedOut) {
        throw new APITimeoutError(`${call.operation}: no reply within ${limit} ms (${call.method} ${call.path})`, { ...where, cause });
      }
      const code = causeCode(cause);
      const error = new APIConnectionError(
        `${call.operation}: the connection failed or closed without a reply (${call.method} ${call.path}${code ? `, ${code}` : ""})`,
        { ...where, cause },
      );
      if (code !== undefined && REFUSED.has(code)) (error as { refused?: boolean }).refused = true;
      throw error;
    } finally {
      if (!call.stream) {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
      }
    }
    if (call.stream) {
      // The headers arrived: from now on only the caller's signal ends the stream.
      clearTimeout(timer);
    }
    const response = raw.response;
    if (response.status >= 200 && response.status < 300) {
      if (call.stream) {
        // The listener must outlive this call (it aborts the body), so the reader detaches it:
        // left attached, every reconnect of a long-lived stream would add one more.
        const release = () => signal?.removeEventListener("abort", onAbort);
        return { response, text: "", ambiguous: false, stream: (raw.data as ReadableStream<Uint8Array> | undefined) ?? null, release };
      }
      return { response, text: typeof raw.data === "string" ? raw.data : "", ambiguous: false, stream: null, release: noop };
    }
    let text: string;
    if (call.stream) {
      text = await response.text().catch(() => "");
      signal?.removeEventListener("abort", onAbort);
    } else {
      text = typeof raw.error === "string" ? raw.error : raw.error === undefined ? "" : JSON.stringify(raw.error);
    }
    throw statusError(response, text, this.where(call), call.operation);
  }
}

/** Whether a failure leaves open that the server applied the request (its response was lost). */
export function maybeApplied(error: APIError, method: string): boolean {
  if (method === "GET") return false;
  if (error instanceof APIConnectionError) return (error as { refused?: boolean }).refused !== true;
  return error instanceof APIStatusError && [500, 502, 504].includes(error.status);
}
