// The two ends of a load process's life: its job comes as JSON in argv[2], its
// result goes back once over IPC. The bench forks load processes so that the
// load generator's CPU is never the gateway's.
import '../procs/guard.ts';

export function runJob<Job, Result>(work: (job: Job) => Promise<Result>): void {
  const job = JSON.parse(process.argv[2] ?? 'null') as Job;
  work(job).then(
    (result) => process.send?.({ type: 'result', result }, () => process.exit(0)),
    (error: unknown) => {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      process.send?.({ type: 'error', message }, () => process.exit(1));
    },
  );
}
