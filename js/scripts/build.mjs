// One build: the ESM and CommonJS bundles (esbuild) and the .d.ts declarations (tsc), into
// dist/ (ESM) and dist/cjs/ (CommonJS, with its own package.json and a copy of the types so
// TypeScript reads them as CommonJS there).
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { build } from "esbuild";

rmSync("dist", { recursive: true, force: true });
const common = {
  entryPoints: ["src/index.ts"],
  bundle: true,
  platform: "neutral",
  target: "es2022",
  external: ["openapi-fetch"],
  sourcemap: true,
  logLevel: "warning",
};
await build({ ...common, format: "esm", outfile: "dist/index.js" });
await build({ ...common, format: "cjs", outfile: "dist/cjs/index.js" });
writeFileSync("dist/cjs/package.json", `${JSON.stringify({ type: "commonjs" })}\n`);
execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.json", "--emitDeclarationOnly", "--outDir", "dist"], {
  stdio: "inherit",
});
for (const entry of readdirSync("dist", { withFileTypes: true })) {
  if (entry.name.endsWith(".d.ts")) cpSync(`dist/${entry.name}`, `dist/cjs/${entry.name}`);
  if (entry.isDirectory() && entry.name === "generated") {
    mkdirSync("dist/cjs/generated", { recursive: true });
    cpSync("dist/generated", "dist/cjs/generated", { recursive: true });
  }
}
console.log("built dist/index.js (ESM), dist/cjs/index.js (CommonJS) and their .d.ts");
