import { GopherQueue } from "gopherqueue";

const client = new GopherQueue("http://localhost:8080");

// --- guide snippet ---
const stats = await client.stats();
console.log(`Pending: ${stats.pending}, Running: ${stats.running}`);
// --- end of guide snippet ---
