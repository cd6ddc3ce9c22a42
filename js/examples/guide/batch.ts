import { GopherQueue } from "gopherqueue";

const client = new GopherQueue("http://localhost:8080");

// --- guide snippet ---
const result = await client.submitBatch(
  [
    { type: "email", payload: { to: "user1@example.com" } },
    { type: "email", payload: { to: "user2@example.com" } },
  ],
  { atomic: true },
);
// --- end of guide snippet ---

console.log(`Accepted: ${result.accepted}`);
