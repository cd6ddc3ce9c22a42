// Preloaded (node --import) into the guide's snippets: they hard-code http://localhost:8080,
// so requests to it go to the embedded server at GQ_GUIDE_URL instead. The snippets stay as
// the guide writes them.
const target = process.env.GQ_GUIDE_URL;
const platformFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const request = input instanceof Request ? input : new Request(input, init);
  const url = request.url.replace(/^http:\/\/localhost:8080/, target);
  const body = request.method === "GET" || request.method === "HEAD" ? undefined : await request.arrayBuffer();
  return platformFetch(url, { method: request.method, headers: request.headers, body, signal: request.signal, redirect: request.redirect });
};
