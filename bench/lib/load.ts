// Runs one load process (bench/load/<file>) to its result. Every load process
// is bounded by its own deadline; this one is the backstop if it hangs anyway.
import { forkBench, nextMessage, stop, type Child } from './procs.ts';

type Answer<R> = { ok: true; result: R } | { ok: false; message: string };

function answerOf<R>(message: unknown): Answer<R> | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const m = message as { type?: unknown; result?: unknown; message?: unknown };
  if (m.type === 'result') return { ok: true, result: m.result as R };
  if (m.type === 'error') return { ok: false, message: String(m.message) };
  return undefined;
}

export function startLoad(file: string, job: object): Child {
  return forkBench(`load ${file}`, new URL(`../load/${file}`, import.meta.url), [JSON.stringify(job)]);
}

/** The result of a load process already started (it may exchange other messages first). */
export async function resultOf<R>(child: Child, timeoutMs: number): Promise<R> {
  try {
    const answer = await nextMessage(child, answerOf<R>, timeoutMs);
    if (!answer.ok) throw new Error(`${child.name} failed: ${answer.message}`);
    return answer.result;
  } finally {
    await stop(child);
  }
}

export function runLoad<R>(file: string, job: object, timeoutMs: number): Promise<R> {
  return resultOf<R>(startLoad(file, job), timeoutMs);
}
