import JobTrigger from "@/components/JobTrigger";

export default function Home() {
  return (
    <main>
      <h1>GopherQueue + Next.js</h1>
      <p>
        The button posts to <code>/api/queue</code>, which submits an <code>email_workflow</code>{" "}
        job; the page then polls <code>/api/queue/&lt;id&gt;</code> until the job is finished.
      </p>
      <JobTrigger />
    </main>
  );
}
