import { NextResponse } from "next/server";
import { badRequest, errorResponse, queue } from "@/lib/gopherqueue";

// The guide's route. Differences (see README.md): the client comes from lib/gopherqueue.ts,
// the body is checked (a JSON object with a requestId) and failures become typed replies.
export async function POST(request: Request) {
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    return badRequest("The body must be JSON.");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return badRequest("The body must be a JSON object.");
  }
  const { requestId } = body as { requestId?: unknown };
  // The idempotency key: every retry of one click carries the same requestId, so the queue
  // returns the job it already made instead of making a second one.
  if (typeof requestId !== "string" || requestId.length === 0 || requestId.length > 200) {
    return badRequest("requestId must be a string of 1 to 200 characters.");
  }

  try {
    // Submit job
    const job = await queue().submit("email_workflow", body, {
      priority: 1, // High
      idempotencyKey: requestId, // prevent duplicates
    });

    return NextResponse.json({
      success: true,
      jobId: job.id,
      status: "queued",
    });
  } catch (err) {
    return errorResponse(err);
  }
}
