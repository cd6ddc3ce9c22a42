/**
 * Incremental Server-Sent Events decoder: bytes in, events out, no I/O.
 *
 * Follows the WHATWG "event stream interpretation" rules: UTF-8 (one BOM skipped at the
 * start), lines end in CRLF, LF or CR (a CR at the end of a chunk and an LF at the start of
 * the next are one line end), `:` starts a comment, `field:value` with one leading space
 * removed, `data` lines joined with "\n", `id` without NUL sets the last event id, `retry`
 * with only digits sets the reconnection time, a blank line dispatches. Unlike the standard,
 * it caps a line and an event's data (a stream that exceeds them is an error, not memory use
 * without bound).
 */

/** One dispatched event. */
export interface ServerSentEvent {
  /** The event type; "message" when the stream gave none. */
  event: string;
  /** The data lines joined with "\n". */
  data: string;
  /** The last event id in force. */
  id: string;
  /** The reconnection time in ms, when this event's block set one. */
  retry: number | null;
}

/** A line or an event over the decoder's caps. */
export class SSELimitError extends Error {}

/** Caps of an SSEDecoder, in characters. */
export interface SSELimits {
  /** Longest line (default 1 MiB). */
  maxLine?: number;
  /** Largest data of one event (default 4 MiB). */
  maxEvent?: number;
}

/** The decoder; `feed` chunks, `close` at the end of the stream. */
export class SSEDecoder {
  private readonly decoder = new TextDecoder("utf-8");
  private readonly maxLine: number;
  private readonly maxEvent: number;
  private buffer = "";
  private pendingCR = false;
  private started = false;
  private eventType = "";
  private data: string[] = [];
  private dataSize = 0;
  private sawData = false;
  private retryValue: number | null = null;
  /** The last event id string (what a reconnection would send as Last-Event-ID). */
  lastEventId = "";

  constructor(limits: SSELimits = {}) {
    this.maxLine = limits.maxLine ?? 1 << 20;
    this.maxEvent = limits.maxEvent ?? 4 << 20;
  }

  /** Decode a chunk; returns the events it completed. */
  feed(chunk: Uint8Array): ServerSentEvent[] {
    return this.text(this.decoder.decode(chunk, { stream: true }));
  }

  /** End of stream: an unterminated event is discarded; the decoder is ready for a new stream. */
  close(): ServerSentEvent[] {
    const out = this.text(this.decoder.decode());
    this.buffer = "";
    this.pendingCR = false;
    this.started = false;
    this.resetEvent();
    return out;
  }

  private resetEvent(): void {
    this.eventType = "";
    this.data = [];
    this.dataSize = 0;
    this.sawData = false;
    this.retryValue = null;
  }

  private text(input: string): ServerSentEvent[] {
    let text = input;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (this.pendingCR && text.startsWith("\n")) text = text.slice(1);
    this.pendingCR = false;
    const out: ServerSentEvent[] = [];
    let start = 0;
    const all = this.buffer + text;
    for (let i = this.buffer.length; i < all.length; i++) {
      const c = all.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      this.line(all.slice(start, i), out);
      if (c === 13) {
        if (i + 1 === all.length) this.pendingCR = true;
        else if (all.charCodeAt(i + 1) === 10) i++;
      }
      start = i + 1;
    }
    this.buffer = all.slice(start);
    if (this.buffer.length > this.maxLine) throw new SSELimitError(`an event stream line is longer than ${this.maxLine} characters`);
    return out;
  }

  private line(line: string, out: ServerSentEvent[]): void {
    if (line.length > this.maxLine) throw new SSELimitError(`an event stream line is longer than ${this.maxLine} characters`);
    if (line === "") {
      if (this.sawData) {
        out.push({ event: this.eventType || "message", data: this.data.join("\n"), id: this.lastEventId, retry: this.retryValue });
      }
      this.resetEvent();
      return;
    }
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    switch (field) {
      case "event":
        this.eventType = value;
        break;
      case "data":
        this.dataSize += value.length + 1;
        if (this.dataSize > this.maxEvent) throw new SSELimitError(`an event's data is larger than ${this.maxEvent} characters`);
        this.data.push(value);
        this.sawData = true;
        break;
      case "id":
        if (!value.includes("\0")) this.lastEventId = value;
        break;
      case "retry":
        if (/^\d+$/.test(value)) this.retryValue = Number(value);
        break;
      default:
        break;
    }
  }
}
