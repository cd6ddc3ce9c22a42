/**
 * The app's one GopherQueue client, and the mapping from the SDK's typed errors to HTTP replies.
 *
 * Server-only: route handlers import it; the browser never talks to the queue.
 */
import {
  APIConnectionError,
  APIStatusError,
  AuthenticationError,
  GopherQueue,
  JobNotFoundError,
  PermissionDeniedError,
  ValidationError,
} from "gopherqueue";
import { NextResponse } from "next/server";

// The guide's "singleton pattern": one client (and so one connection pool) per server process.
// It lives on globalThis, not in a module variable, because `next dev` re-evaluates modules on
// every edit and Next.js may load a shared module once per route bundle; a module variable
// would then quietly make several clients.
const CLIENT = Symbol.for("gopherqueue-nextjs-example.client");
type Holder = typeof globalThis & { [CLIENT]?: GopherQueue };

/** The process-wide client, created on first use from `GOPHERQUEUE_URL` (and `GOPHERQUEUE_API_KEY`). */
export function queue(): GopherQueue {
  const holder = globalThis as Holder;
  holder[CLIENT] ??= new GopherQueue(process.env.GOPHERQUEUE_URL || "http://localhost:8080", {
    apiKey: process.env.GOPHERQUEUE_API_KEY || undefined,
  });
  return holder[CLIENT];
}

/** The JSON body of every error reply: a message for people and a stable code for programs. */
export interface ErrorBody {
  success: false;
  code: "bad_request" | "not_found" | "queue_unavailable" | "queue_error" | "internal_error";
  error: string;
}

function reply(status: number, code: ErrorBody["code"], error: string): NextResponse<ErrorBody> {
  return NextResponse.json({ success: false, code, error }, { status });
}

/** A 400 for input the route itself refuses (before the SDK sees it). */
export function badRequest(message: string): NextResponse<ErrorBody> {
  return reply(400, "bad_request", message);
}

/**
 * Turns whatever a queue call threw into a reply: typed SDK errors become 400, 404, 502 or 503,
 * anything else a 500 whose body says nothing about the code (the details go to the log).
 */
export function errorResponse(err: unknown): NextResponse<ErrorBody> {
  if (err instanceof JobNotFoundError) {
    return reply(404, "not_found", "No job has this id.");
  }
  // Client-side checks (a malformed job id, a bad option) and the queue's own 400s.
  if (err instanceof ValidationError) {
    return reply(400, "bad_request", err.message);
  }
  if (err instanceof APIConnectionError) {
    console.error("gopherqueue unreachable:", err.message);
    return reply(503, "queue_unavailable", "The job queue is unreachable; try again shortly.");
  }
  // Wrong or missing API key: the operator's problem, not the visitor's.
  if (err instanceof AuthenticationError || err instanceof PermissionDeniedError) {
    console.error("gopherqueue refused the app's credentials:", err.message);
    return reply(502, "queue_error", "The job queue refused this app's credentials.");
  }
  if (err instanceof APIStatusError) {
    console.error("gopherqueue error:", err.message);
    const status = err.status >= 500 ? 503 : 502;
    const code = err.status >= 500 ? "queue_unavailable" : "queue_error";
    return reply(status, code, `The job queue answered ${err.status}.`);
  }
  console.error("unexpected error in a queue route:", err);
  return reply(500, "internal_error", "Something went wrong in the app server.");
}
