/**
 * Argument checks: every bad input is a ValidationError naming the argument, before any
 * request. Job ids are validated as UUIDs before a URL is built, because the server resolves
 * `..` and `/` in a path to other endpoints (`DELETE /api/v1/jobs/..` reaches `/api/v1`).
 */

import { ValidationError } from "./errors.js";

const UUID_FORMS = [
  /^([0-9a-f]{8})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{12})$/i,
  /^urn:uuid:([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/i,
  /^\{([0-9a-f]{8})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{12})\}$/i,
];
// Go's time.ParseDuration grammar: an optional sign, then numbers each with a unit, or a bare "0".
const GO_DURATION = /^[-+]?(?:0|(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+)$/;
const UNITS: [string, number][] = [
  ["h", 3_600_000],
  ["m", 60_000],
  ["s", 1000],
  ["ms", 1],
];
// Go durations are int64 nanoseconds: about 292 years.
const MAX_DURATION_MS = 9_223_372_036_854;

const SURROGATE = /[\uD800-\uDFFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function typeName(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
}

/** Refuse text with lone surrogates, which cannot be encoded as UTF-8. */
export function checkText(value: string, field: string): string {
  // Most text has no surrogate at all: one cheap scan before the pairing check.
  if (SURROGATE.test(value) && LONE_SURROGATE.test(value)) {
    throw new ValidationError(`${field} contains a lone surrogate (not encodable as UTF-8)`, field);
  }
  return value;
}

/** The canonical (lowercase, dashed) form of a job id in any form the server reads. */
export function checkJobId(value: unknown, field = "jobId"): string {
  if (typeof value !== "string") {
    throw new ValidationError(`${field} must be a UUID string, got ${typeName(value)}`, field);
  }
  for (const form of UUID_FORMS) {
    const m = form.exec(value);
    if (m) return `${m[1]}-${m[2]}-${m[3]}-${m[4]}-${m[5]}`.toLowerCase();
  }
  throw new ValidationError(`${field} must be a UUID, got ${JSON.stringify(value.slice(0, 60))}`, field);
}

/** A non-empty job type. */
export function checkJobType(value: unknown, field = "jobType"): string {
  if (typeof value !== "string" || value === "") {
    throw new ValidationError(`${field} must be a non-empty string, got ${typeName(value)}${value === "" ? " ''" : ""}`, field);
  }
  return checkText(value, field);
}

/** An integer the server's int fields accept. */
export function checkInt(value: unknown, field: string, min?: number): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || (min !== undefined && value < min)) {
    const bound = min === undefined ? "" : ` >= ${min}`;
    throw new ValidationError(`${field} must be an integer${bound}, got ${String(value)}`, field);
  }
  return value;
}

/** A non-empty string option (idempotencyKey, correlationId, reason). */
export function checkString(value: unknown, field: string, allowEmpty = false): string {
  if (typeof value !== "string" || (!allowEmpty && value === "")) {
    throw new ValidationError(`${field} must be a non-empty string, got ${typeName(value)}`, field);
  }
  return checkText(value, field);
}

/** A boolean option. */
export function checkBool(value: unknown, field: string): boolean {
  if (typeof value !== "boolean") throw new ValidationError(`${field} must be a boolean, got ${typeName(value)}`, field);
  return value;
}

/** Tags: an object of string to string. */
export function checkTags(value: unknown, field = "tags"): Record<string, string> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ValidationError(`${field} must be an object of strings, got ${typeName(value)}`, field);
  }
  const out: Record<string, string> = {};
  for (const [key, tag] of Object.entries(value)) {
    checkText(key, `${field}.${key}`);
    if (typeof tag !== "string") throw new ValidationError(`${field}.${key} must be a string, got ${typeName(tag)}`, `${field}.${key}`);
    out[key] = checkText(tag, `${field}.${key}`);
  }
  return out;
}

/** A Date or an RFC 3339 string, as the server's scheduled_at. */
export function checkScheduledAt(value: unknown, field = "scheduledAt"): string {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new ValidationError(`${field} is an invalid Date`, field);
    return value.toISOString();
  }
  if (
    typeof value === "string" &&
    /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i.test(value) &&
    !Number.isNaN(Date.parse(value))
  ) {
    return value;
  }
  throw new ValidationError(`${field} must be a Date or an RFC 3339 timestamp, got ${typeName(value)}`, field);
}

/** A number of milliseconds as a Go duration string in the largest exact unit. */
export function formatMillis(ms: number): string {
  if (ms === 0) return "0s";
  if (Number.isInteger(ms)) {
    for (const [unit, size] of UNITS) if (ms % size === 0) return `${ms / size}${unit}`;
  }
  const micros = Math.round(ms * 1000);
  return micros % 1000 === 0 ? `${micros / 1000}ms` : `${micros}us`;
}

/** A duration argument (milliseconds, or a Go duration string such as "10m") as a Go duration string. */
export function toGoDuration(value: unknown, field: string): string {
  if (typeof value === "string") {
    if (!GO_DURATION.test(value)) {
      throw new ValidationError(
        `${field} must be milliseconds or a Go duration such as "30s", "1500ms" or "1h2m", got ${JSON.stringify(value)}`,
        field,
      );
    }
    if (value.startsWith("-") && /[1-9]/.test(value))
      throw new ValidationError(`${field} must not be negative, got ${JSON.stringify(value)}`, field);
    return value;
  }
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new ValidationError(`${field} must be a finite number of milliseconds or a Go duration string, got ${typeName(value)}`, field);
  }
  if (value < 0) throw new ValidationError(`${field} must not be negative, got ${value}`, field);
  if (value > MAX_DURATION_MS) throw new ValidationError(`${field} is longer than the server can represent (about 292 years)`, field);
  return formatMillis(value);
}

/** A JSON-encodable payload, encoded; ValidationError names what is not encodable. */
export function checkPayload(value: unknown, field = "payload"): void {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (cause) {
    throw new ValidationError(`${field} is not JSON-encodable: ${String(cause)}`, field);
  }
  if (text === undefined) throw new ValidationError(`${field} is not JSON-encodable (${typeName(value)})`, field);
  checkText(text, field);
}
