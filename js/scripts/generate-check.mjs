// Fail when src/generated/ differs from what the pinned openapi-typescript makes of ../openapi.yaml.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const dir = mkdtempSync(join(tmpdir(), "gq-generate-"));
try {
  const out = join(dir, "schema.ts");
  execFileSync(process.execPath, ["node_modules/openapi-typescript/bin/cli.js", "../openapi.yaml", "--output", out], { stdio: "pipe" });
  const fresh = readFileSync(out, "utf8");
  const committed = readFileSync("src/generated/schema.ts", "utf8");
  if (fresh !== committed) {
    console.error("js/src/generated/schema.ts is out of date with openapi.yaml (run `nox -s generate`)");
    process.exit(1);
  }
  console.log("js/src/generated/ matches openapi.yaml");
} finally {
  rmSync(dir, { recursive: true, force: true });
}
