"use client";
import { useEffect, useRef, useState } from "react";
import type { JobStatus } from "@/app/api/queue/[id]/route";

// How often the page asks the status route about a running job.
const POLL_INTERVAL_MS = 500;
const FINISHED = new Set(["completed", "failed", "cancelled", "dead_letter"]);

type Submission =
  | { phase: "idle" }
  | { phase: "submitting" }
  | { phase: "submitted"; jobId: string }
  | { phase: "failed"; error: string };

/** A v4 UUID; crypto.randomUUID exists only on https and localhost, getRandomValues everywhere. */
function newRequestId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The error message of one of the app's error replies, or a description of the status. */
async function errorOf(res: Response): Promise<string> {
  const data: unknown = await res.json().catch(() => null);
  if (typeof data === "object" && data !== null && typeof (data as { error?: unknown }).error === "string") {
    return (data as { error: string }).error;
  }
  return `The app server answered ${res.status}.`;
}

export default function JobTrigger() {
  const [submission, setSubmission] = useState<Submission>({ phase: "idle" });
  const [job, setJob] = useState<JobStatus | null>(null);
  const [pollError, setPollError] = useState<string | null>(null);
  // One requestId per intended job: a second click before the first answer, or a click after a
  // failed attempt, sends the same id again, so the queue makes one job. A new id is drawn only
  // once a job was accepted.
  const requestId = useRef<string | null>(null);

  const triggerJob = async () => {
    requestId.current ??= newRequestId();
    const sent = requestId.current;
    setSubmission({ phase: "submitting" });
    try {
      const res = await fetch("/api/queue", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ action: "generate_report", userId: "123", requestId: sent }),
      });
      if (!res.ok) {
        setSubmission({ phase: "failed", error: await errorOf(res) });
        return;
      }
      const data = (await res.json()) as { jobId: string };
      if (requestId.current === sent) {
        requestId.current = null;
      }
      setSubmission({ phase: "submitted", jobId: data.jobId });
    } catch {
      setSubmission({ phase: "failed", error: "The app server could not be reached." });
    }
  };

  const jobId = submission.phase === "submitted" ? submission.jobId : null;

  // Poll the status route until the job is finished (or the route answers with an error).
  useEffect(() => {
    if (jobId === null) {
      return;
    }
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    setJob(null);
    setPollError(null);
    const poll = async () => {
      try {
        const res = await fetch(`/api/queue/${encodeURIComponent(jobId)}`, { cache: "no-store" });
        if (stopped) return;
        if (!res.ok) {
          const error = await errorOf(res);
          if (!stopped) setPollError(error);
          return;
        }
        const status = (await res.json()) as JobStatus;
        if (stopped) return;
        setJob(status);
        if (!FINISHED.has(status.state)) {
          timer = setTimeout(poll, POLL_INTERVAL_MS);
        }
      } catch {
        if (!stopped) setPollError("The app server could not be reached.");
      }
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [jobId]);

  const busy = submission.phase === "submitting";
  const error = submission.phase === "failed" ? submission.error : pollError;
  return (
    <section className="job-trigger">
      <button type="button" onClick={triggerJob} disabled={busy}>
        {busy ? "Processing..." : "Start Background Job"}
      </button>
      <p role="status" data-testid="submission">
        {submission.phase === "submitted" ? `Job ${submission.jobId} submitted!` : ""}
      </p>
      {job !== null && submission.phase === "submitted" && job.id === submission.jobId && (
        <div data-testid="job">
          <p>
            State: <strong data-testid="job-state">{job.state}</strong>
            {" · "}
            <span data-testid="job-progress">{Math.round(job.progress)}%</span>
            {job.progressMessage ? ` · ${job.progressMessage}` : ""}
          </p>
          <progress max={100} value={job.progress} />
        </div>
      )}
      {error !== null && (
        <p role="alert" data-testid="error" className="error">
          {error}
        </p>
      )}
    </section>
  );
}
