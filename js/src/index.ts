/**
 * gopherqueue: the TypeScript SDK for the GopherQueue job server.
 *
 * `GopherQueue` is the client; the generated core (openapi-typescript types for
 * openapi-fetch) is reachable through `client.raw`.
 */

export { type ClientOptions, GopherQueue, JobHandle, type SubmitAndWaitOptions } from "./client.js";
export * from "./errors.js";
export type { Event, EventsOptions, ReconnectEvent } from "./events.js";
export type { components, operations, paths } from "./generated/schema.js";
export {
  BatchItem,
  BatchResult,
  type ErrorCategory,
  Health,
  type HealthComponent,
  isTerminal,
  Job,
  JobResult,
  type JobState,
  Priority,
  QueueStats,
  WaitResult,
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
export { type RetryEvent, RetryPolicy, type RetryPolicyOptions } from "./retry.js";
export { type ServerSentEvent, SSEDecoder, SSELimitError, type SSELimits } from "./sse.js";
export type { RawClient, RequestOptions } from "./transport.js";
export { VERSION } from "./version.js";
