// The embedded Python server (gopherqueue.testing) for the e2e tests, driven through
// test/harness.py over stdin/stdout. GQ_PYTHON names the interpreter (nox sets it).
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { createInterface, type Interface } from "node:readline";
import { fileURLToPath } from "node:url";

const HARNESS = fileURLToPath(new URL("../../../test/harness.py", import.meta.url));

export interface FaultSpec {
  kind: "status" | "html_502" | "drop_before" | "drop_after" | "delay" | "truncate";
  times?: number | null;
  status?: number;
  retry_after?: number;
  delay?: number;
}

export class EmbeddedServer {
  url = "";
  private child: ChildProcessWithoutNullStreams | null = null;
  private lines: Interface | null = null;
  private waiting: [(line: string) => void, (error: Error) => void][] = [];
  private queue: string[] = [];

  static async start(options: { writeTimeout?: number; apiKey?: string } = {}): Promise<EmbeddedServer> {
    const server = new EmbeddedServer();
    const args = [HARNESS];
    if (options.writeTimeout !== undefined) args.push("--write-timeout", String(options.writeTimeout));
    if (options.apiKey !== undefined) args.push("--api-key", options.apiKey);
    const child = spawn(process.env.GQ_PYTHON ?? "python3", args, { stdio: ["pipe", "pipe", "pipe"] });
    child.stderr.on("data", (d: Buffer) => {
      if (process.env.GQ_HARNESS_DEBUG) process.stderr.write(d);
    });
    server.child = child;
    server.lines = createInterface({ input: child.stdout });
    server.lines.on("line", (line) => {
      const next = server.waiting.shift();
      if (next) next[0](line);
      else server.queue.push(line);
    });
    child.once("exit", (code) => {
      for (const [, reject] of server.waiting.splice(0)) reject(new Error(`harness exited with ${code}`));
    });
    const first = JSON.parse(await server.line()) as { url: string };
    server.url = first.url;
    return server;
  }

  private line(): Promise<string> {
    const ready = this.queue.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      this.waiting.push([resolve, reject]);
    });
  }

  async command<T = unknown>(op: string, args: Record<string, unknown> = {}): Promise<T> {
    this.child?.stdin.write(`${JSON.stringify({ op, ...args })}\n`);
    const answer = JSON.parse(await this.line()) as { ok: boolean; value: T; error?: string };
    if (!answer.ok) throw new Error(`harness ${op}: ${answer.error}`);
    return answer.value;
  }

  fault(method: string, path: string, spec: FaultSpec): Promise<unknown> {
    return this.command("fault", { method, path, ...spec });
  }

  hits(method = "*", path = "*"): Promise<number> {
    return this.command<number>("hits", { method, path });
  }

  jobCount(): Promise<number> {
    return this.command<number>("job_count");
  }

  reset(): Promise<unknown> {
    return this.command("reset");
  }

  release(): Promise<unknown> {
    return this.command("release");
  }

  /** An id per SSE subscriber the server holds right now (registered before the headers go out). */
  streams(): Promise<number[]> {
    return this.command<number[]>("streams");
  }

  restart(): Promise<unknown> {
    return this.command("restart");
  }

  async stop(): Promise<void> {
    if (!this.child) return;
    const exited = new Promise((resolve) => this.child?.once("exit", resolve));
    await this.command("stop");
    await exited;
    this.child = null;
  }
}
