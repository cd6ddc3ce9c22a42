import { NextResponse } from "next/server";
import { errorResponse, queue } from "@/lib/gopherqueue";

/** What the JobTrigger component polls: the job's state and progress. */
export interface JobStatus {
  id: string;
  state: string;
  progress: number;
  progressMessage: string | null;
}

export async function GET(_request: Request, context: { params: Promise<{ id: string }> }) {
  const { id } = await context.params;
  // A malformed id is the SDK's ValidationError (or the queue's 400), mapped to a 400 below.
  try {
    const job = await queue().get(id);
    const status: JobStatus = {
      id: job.id,
      state: job.state,
      progress: job.progress,
      progressMessage: job.progressMessage ?? null,
    };
    return NextResponse.json(status);
  } catch (err) {
    return errorResponse(err);
  }
}
