// A CPU profile aid for issue 16's per-call overhead: `get` and `submit` against a fetch that
// answers at once (no network), next to that same fetch + JSON.parse. It prints microseconds
// per call (CPU time); run it under `node --cpu-prof scripts/overhead.mjs` to see where the SDK's time goes.
// Nothing here is a benchmark figure (those come from scripts/bench.mjs against a real server).
// GQ_DIST names another build to load (default ../dist/index.js), to compare two builds.
const { GopherQueue } = await import(process.env.GQ_DIST ?? "../dist/index.js");

const JOB_ID = "3097c2bb-b3be-476f-9d4d-f97f9eae8aa9";
const GET_BODY =
  '{"id":"3097c2bb-b3be-476f-9d4d-f97f9eae8aa9","type":"sleep","state":"running","priority":2,"attempt":1,"max_attempts":3,"created_at":"2026-11-28T19:12:24.319309643Z","updated_at":"2026-11-28T19:12:24.324410825Z","started_at":"2026-11-28T19:12:24.324410825Z"}';
const SUBMIT_BODY =
  '{"id":"5a0b7b43-4b8e-4ff9-9a55-6f3c2a4a1c11","type":"echo","state":"pending","priority":2,"attempt":0,"max_attempts":3,"created_at":"2026-11-28T19:12:24.319309643Z","updated_at":"2026-11-28T19:12:24.319309643Z"}';
const PAYLOAD = { hello: "world", n: 1 };

function instantFetch(input, init) {
  const post = (init?.method ?? input?.method) === "POST";
  return Promise.resolve(
    new Response(post ? SUBMIT_BODY : GET_BODY, {
      status: post ? 201 : 200,
      headers: { "Content-Type": "application/json", "Content-Length": String((post ? SUBMIT_BODY : GET_BODY).length) },
    }),
  );
}

const url = "http://127.0.0.1:1";
const client = new GopherQueue(url, { maxRetries: 0, fetch: instantFetch });
const jsonHeaders = { "Content-Type": "application/json" };
const sides = {
  "sdk get": () => client.get(JOB_ID),
  "raw get": async () => JSON.parse(await (await instantFetch(`${url}/api/v1/jobs/${JOB_ID}`)).text()),
  "sdk submit": () => client.submit("echo", PAYLOAD),
  "raw submit": async () =>
    JSON.parse(
      await (
        await instantFetch(`${url}/api/v1/jobs`, {
          method: "POST",
          headers: jsonHeaders,
          body: JSON.stringify({ type: "echo", payload: PAYLOAD }),
        })
      ).text(),
    ),
};
const calls = Number(process.argv[2] ?? 5000);
const rounds = Number(process.argv[3] ?? 15);
const results = {};
for (const name of Object.keys(sides)) for (let i = 0; i < 2000; i++) await sides[name]();
for (let round = 0; round < rounds; round++) {
  for (const [name, call] of Object.entries(sides)) {
    // CPU time, not wall time: everything here runs in this process, and a shared machine's
    // load shows in wall time far more than in the CPU time a call takes.
    const started = process.cpuUsage();
    for (let i = 0; i < calls; i++) await call();
    const used = process.cpuUsage(started);
    if (!results[name]) results[name] = [];
    results[name].push((used.user + used.system) / calls);
  }
}
const med = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
for (const [name, values] of Object.entries(results)) console.log(`${name.padEnd(11)} ${med(values).toFixed(2)} us/call`);
console.log(
  `get ${(med(results["sdk get"]) / med(results["raw get"])).toFixed(2)}x, submit ${(med(results["sdk submit"]) / med(results["raw submit"])).toFixed(2)}x`,
);
