// The recorded exchanges with the real server in ../tests/captures/ (see docs/protocol.md), parsed
// into requests and responses that a mocked fetch can replay.
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const CAPTURES = fileURLToPath(new URL("../../../../tests/captures/", import.meta.url));

export interface Capture {
  name: string;
  method: string;
  target: string;
  requestBody: string;
  /** curl's exit code: 0 for a full reply, 52 for an empty one, 18 for a cut one. */
  rc: number;
  status: number | null;
  headers: [string, string][];
  body: string;
}

export function loadCaptures(): Capture[] {
  return readdirSync(CAPTURES)
    .filter((n) => /^\d+[a-z]?_.*\.txt$/.test(n) && !n.endsWith(".ts.txt"))
    .map((n) => parse(n, readFileSync(CAPTURES + n, "utf8")));
}

function parse(name: string, text: string): Capture {
  const req = text.split("=== REQUEST\n")[1]?.split(/\n=== RESPONSE \(curl rc=(\d+)\)\n/) ?? [];
  const [requestPart = "", rcText = "0", responsePart = ""] = req;
  const [requestHead = "", requestBody = ""] = requestPart.split(/\r?\n\r?\n/, 2);
  const [method = "", target = ""] = (requestHead.split("\n")[0] ?? "").split(" ");
  const response = responsePart.replace(/\n\[curl: [^\n]*\][\s\S]*$/, "");
  const status = /^HTTP\/1\.1 (\d{3})/.exec(response);
  const headers: [string, string][] = [];
  let body = "";
  if (status) {
    const cut = response.search(/\r?\n\r?\n/);
    const head = cut === -1 ? response : response.slice(0, cut);
    body = cut === -1 ? "" : response.slice(cut).replace(/^\r?\n\r?\n/, "");
    for (const line of head.split(/\r?\n/).slice(1)) {
      const colon = line.indexOf(":");
      if (colon > 0) headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
    }
    // The capture shows the body and then curl's trailer after one added newline.
    if (body.endsWith("\n\n")) body = body.slice(0, -1);
  }
  return {
    name: name.replace(/\.txt$/, ""),
    method,
    target,
    requestBody: requestBody.trim(),
    rc: Number(rcText),
    status: status ? Number(status[1]) : null,
    headers,
    body,
  };
}
