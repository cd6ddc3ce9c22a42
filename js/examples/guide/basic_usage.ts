// --- guide snippet ---
import { GopherQueue } from "gopherqueue";

const client = new GopherQueue("http://localhost:8080");

// Submit a job
const job = await client.submit("email", { to: "user@example.com" });
console.log(`Created job: ${job.id}`);

// Wait for completion
const result = await client.wait(job.id, { timeout: 30000 });
if (result.success) {
  console.log("Job completed successfully!");
}
// --- end of guide snippet ---
