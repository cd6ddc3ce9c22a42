/**
 * The event stream: GET /api/v1/events as an async iterator that reconnects across the
 * server's 30 s cuts (and restarts), filters by job type and event name, and stops on the
 * caller's AbortSignal or a `break`.
 *
 * The server's stream has no completion or progress events (only job.created, job.cancelled,
 * job.retried, job.deleted); use wait or watch to learn that a job finished.
 */

import { checkInt, checkJobId } from "./checks.js";
import {
  APIConnectionError,
  APIStatusError,
  APIUserAbortError,
  AuthenticationError,
  excerpt,
  type GopherQueueError,
  NotFoundError,
  PermissionDeniedError,
  UnexpectedResponseError,
  ValidationError,
} from "./errors.js";
import { Job, type RawJob } from "./models.js";
import type { Context } from "./operations.js";
import { SSEDecoder, type SSELimits } from "./sse.js";
import { type RequestOptions, sleep } from "./transport.js";

/** One event from the stream. */
export interface Event {
  /** The event name: "connected", "job.created", "job.cancelled", "job.retried", "job.deleted". */
  event: string;
  /** The parsed JSON data (a Job's wire object for job.* events but job.deleted, which has only `{ id }`). */
  data: { id?: string; type?: string; state?: string; [key: string]: unknown };
  /** The event's id line (the server sends the job id). */
  id: string;
  /** The job's id, when the event is about one. */
  jobId: string | null;
  /** The data as a Job, when it is a whole job. */
  job: Job | null;
}

/** What an `onReconnect` hook receives before the stream is reopened. */
export interface ReconnectEvent {
  /** Consecutive reconnection attempts so far, 1 for the first after a healthy stream. */
  attempt: number;
  /** Milliseconds before the reopening. */
  delay: number;
  /** Why the stream ended, when it broke rather than ended. */
  error: GopherQueueError | null;
}

/** Options of events. */
export interface EventsOptions extends Pick<RequestOptions, "signal"> {
  /** Only events about jobs of these types (job.deleted included, for jobs seen in this subscription). */
  jobTypes?: string[];
  /** Only these event names. */
  eventTypes?: string[];
  /** Only events about this job (filtered by the server). */
  jobId?: string;
  /** Reopen the stream when it ends or breaks (default true). */
  reconnect?: boolean;
  /** Consecutive failed reopenings before giving up with APIConnectionError (default 10; null: no bound). */
  maxReconnects?: number | null;
  /** Called before each reopening. */
  onReconnect?: (event: ReconnectEvent) => void;
  /** Caps of the SSE decoder. */
  limits?: SSELimits;
}

function names(value: unknown, field: string): Set<string> | null {
  if (value === undefined) return null;
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string" && v !== "")) {
    throw new ValidationError(`${field} must be an array of non-empty strings`, field);
  }
  return new Set(value as string[]);
}

function toEvent(name: string, data: string, id: string): Event {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    parsed = { raw: data };
  }
  const record = typeof parsed === "object" && parsed !== null ? (parsed as Event["data"]) : { raw: parsed };
  let job: Job | null = null;
  if (name.startsWith("job.") && typeof record.type === "string") {
    try {
      job = new Job(record as unknown as RawJob);
    } catch {
      job = null;
    }
  }
  const jobId = typeof record.id === "string" ? record.id : id || null;
  return { event: name, data: record, id, jobId, job };
}

/** Subscribe; see EventsOptions. */
export async function* events(ctx: Context, options: EventsOptions = {}): AsyncGenerator<Event, void, undefined> {
  const jobId = options.jobId === undefined ? undefined : checkJobId(options.jobId);
  const types = names(options.jobTypes, "jobTypes");
  const wanted = names(options.eventTypes, "eventTypes");
  const maxReconnects =
    options.maxReconnects === undefined ? 10 : options.maxReconnects === null ? null : checkInt(options.maxReconnects, "maxReconnects", 0);
  const reconnect = options.reconnect ?? true;
  const signal = options.signal;
  const raw = ctx.transport.calls;
  const decoder = new SSEDecoder(options.limits);
  // Jobs seen here whose type matched, so their job.deleted (data only the id) matches too.
  const matching = new Set<string>();
  let surfacedConnected = false;
  let failures = 0;
  let serverRetry: number | null = null;
  const query = jobId === undefined ? {} : { job_id: jobId };
  for (;;) {
    let error: GopherQueueError | null = null;
    let healthy = false;
    let reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
    let release: (() => void) | null = null;
    try {
      const reply = await ctx.transport.send(
        {
          operation: "stream_events",
          method: "GET",
          path: "/api/v1/events",
          stream: true,
          retry: ctx.transport.retry.with({ maxRetries: 0 }),
          send: (init) =>
            raw.GET("/api/v1/events", {
              params: { query },
              headers: { Accept: "text/event-stream", "Cache-Control": "no-cache" },
              ...init,
            }),
        },
        { signal },
      );
      release = reply.release;
      const contentType = reply.response.headers.get("content-type") ?? "";
      if (!contentType.startsWith("text/event-stream") || reply.stream === null) {
        const text = await reply.response.text().catch(() => "");
        throw new UnexpectedResponseError(
          `stream_events: expected text/event-stream, got ${contentType || "no content type"}: ${excerpt(text)}`,
          {
            status: reply.response.status,
            method: "GET",
            url: reply.response.url,
            headers: reply.response.headers,
            body: text,
          },
        );
      }
      reader = reply.stream.getReader();
      for (;;) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (cause) {
          if (signal?.aborted) return;
          // The server's 30 s write timeout cuts the chunked body mid-stream.
          error = new APIConnectionError("stream_events: the stream broke", { method: "GET", url: reply.response.url, cause });
          break;
        }
        if (chunk.done) break;
        for (const sse of decoder.feed(chunk.value)) {
          if (sse.retry !== null) serverRetry = sse.retry;
          if (sse.event === "connected") {
            healthy = true;
            failures = 0;
            if (surfacedConnected) continue; // a reconnection, not news for the caller
            surfacedConnected = true;
          }
          const event = toEvent(sse.event, sse.data, sse.id);
          if (wanted !== null && !wanted.has(event.event)) continue;
          if (types !== null && event.event !== "connected") {
            if (event.job !== null) {
              if (!types.has(event.job.type)) continue;
              matching.add(event.job.id);
            } else if (event.jobId === null || !matching.has(event.jobId)) continue;
          }
          yield event;
        }
      }
    } catch (caught) {
      if (caught instanceof APIUserAbortError) return;
      if (
        caught instanceof AuthenticationError ||
        caught instanceof PermissionDeniedError ||
        caught instanceof NotFoundError ||
        caught instanceof UnexpectedResponseError ||
        !(caught instanceof APIConnectionError || caught instanceof APIStatusError)
      ) {
        throw caught;
      }
      if (caught instanceof APIStatusError && caught.status < 500 && caught.status !== 408 && caught.status !== 429) throw caught;
      error = caught;
    } finally {
      // Also on `break` by the caller: the generator's return runs this and closes the stream.
      // Not awaited: a cancel may settle only when every branch of a teed body is cancelled.
      if (reader !== null) reader.cancel().catch(() => undefined);
      release?.();
    }
    decoder.close();
    if (signal?.aborted) return;
    if (!reconnect) {
      if (error !== null) throw error;
      return;
    }
    if (!healthy) failures++;
    if (maxReconnects !== null && failures > maxReconnects) {
      const message = `the event stream could not be reopened after ${failures - 1} attempts`;
      throw new APIConnectionError(error ? `${message}: ${error.message}` : message, { cause: error });
    }
    const delay = failures === 0 ? (serverRetry ?? 0) : Math.max(serverRetry ?? 0, ctx.transport.retry.backoff(failures));
    options.onReconnect?.({ attempt: failures || 1, delay, error });
    if (delay > 0) {
      try {
        await sleep(delay, signal);
      } catch {
        return;
      }
    }
  }
}
