import { GopherQueue } from "gopherqueue";

const client = new GopherQueue("http://localhost:8080");

// --- guide snippet ---
for await (const event of client.events({ jobTypes: ["email"] })) {
  console.log(`${event.event}: ${event.data.id}`);
}
// --- end of guide snippet ---
