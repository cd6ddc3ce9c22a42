/**
 * gopherqueue: the TypeScript SDK for the GopherQueue job server.
 *
 * `GopherQueue` is the client; the generated core (openapi-typescript types for
 * openapi-fetch) is reachable through `client.raw`.
 */

export { GopherQueue, JobHandle, type ClientOptions, type SubmitAndWaitOptions } from "./client.js";
export * from "./errors.js";
export type { Event, EventsOptions, ReconnectEvent } from "./events.js";
export {
  BatchItem,
  BatchResult,
  Health,
  Job,
  JobResult,
  Priority,
  QueueStats,
  WaitResult,
  isTerminal,
  type ErrorCategory,
  type HealthComponent,
  type JobState,
  type WorkerStats,
} from "./models.js";
export type {
  BatchOptions,
  CancelOptions,
  GetOptions,
  JobSpec,
  ListOptions,
  RetryJobOptions,
  SubmitOptions,
  WaitOptions,
  WatchOptions,
} from "./operations.js";
export { RetryPolicy, type RetryEvent, type RetryPolicyOptions } from "./retry.js";
export { SSEDecoder, SSELimitError, type SSELimits, type ServerSentEvent } from "./sse.js";
export type { RawClient, RequestOptions } from "./transport.js";
export type { components, operations, paths } from "./generated/schema.js";
export { VERSION } from "./version.js";
