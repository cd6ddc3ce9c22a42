import { GopherQueue } from "gopherqueue";

// --- guide snippet ---
const client = new GopherQueue("http://localhost:8080", {
  apiKey: "your-api-key",
  timeout: 60000,
});
// --- end of guide snippet ---

console.log(`Connected: ${await client.live()}`);
