// Resumable streams under load: many generations dropped at random points
// and resumed at once, while their events keep arriving (the seam between
// replay and live events, concurrently), and thousands of abandoned ones that
// leave nothing behind once their resume time has passed.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResumableGenerateStreamDocument, ResumeGenerateStreamDocument } from '../gql/graphql.ts';
import { collectWs, wsClient } from './clients.ts';
import { eventually, settled, startStack, type Stack } from './harness.ts';
import { sseUntilDrop, wsUntilDrop } from './resume-clients.ts';

const TOKENS = 80;
const input = (seed: number, maxNewTokens = TOKENS) => ({ input: { modelId: 'sim', prompt: 'Tell me about GPUs', maxNewTokens, seed, resumable: true } });
/** The heap in use after a full collection (the collector exposed for this measure only). */
function heapAfterGc(): number {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  return process.memoryUsage().heapUsed;
}

type Event = { generationId: string; index: number; token: { text: string }; generatedText?: string | null };

describe('resumable streams under load', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ timeToFirstTokenMs: 5, timePerTokenMs: 3 }, { STREAM_RESUME_MS: '1500' });
  });
  afterAll(() => stack.stop());

  it('resumes 40 concurrent streams dropped mid-stream exactly, while their events keep coming', async () => {
    const one = async (n: number) => {
      const dropAfter = 1 + ((n * 37) % (TOKENS - 2));
      const drop = n % 2 === 0 ? wsUntilDrop(stack.wsUrl, ResumableGenerateStreamDocument, input(n), { dropAfter }) : sseUntilDrop(stack.url, ResumableGenerateStreamDocument, input(n), { dropAfter });
      const before: Event[] = (await drop).payloads.map((p) => p.data!.generateStream);
      const last = before.at(-1)!;
      const client = wsClient(stack.wsUrl);
      const payloads = await collectWs(client, ResumeGenerateStreamDocument, { generationId: last.generationId, afterIndex: last.index });
      await client.dispose();
      if (payloads.some((p) => p.errors)) throw new Error(`stream ${n}: ${JSON.stringify(payloads.find((p) => p.errors))}`);
      const after: Event[] = payloads.map((p) => p.data!.resumeGenerateStream);
      return [...before, ...after];
    };
    const streams = await Promise.all(Array.from({ length: 40 }, (_, n) => one(n)));
    for (const events of streams) {
      expect(events.map((e) => e.index)).toEqual(Array.from({ length: TOKENS }, (_, i) => i + 1));
      expect(events.map((e) => e.token.text).join('')).toBe(events.at(-1)!.generatedText);
    }
    // Every stream was one generation upstream.
    expect(stack.simulators[0]!.stats().requestsByRoute['POST /generate_stream']).toBe(40);
  });

  it('leaves nothing behind 2,000 abandoned streams once their resume time has passed', async () => {
    const sim = stack.simulators[0]!;
    const abandon = async (batches: number) => {
      for (let batch = 0; batch < batches; batch++) {
        await Promise.all(Array.from({ length: 50 }, (_, n) => sseUntilDrop(stack.url, ResumableGenerateStreamDocument, input(batch * 50 + n, 4), { dropAfter: 1 })));
      }
      await eventually(() => stack.app.services.resumes.size === 0, 10_000, 'every abandoned generation to be forgotten');
      await settled(stack.app, stack.simulators);
      return heapAfterGc();
    };
    const requests = sim.stats().requestsByRoute['POST /generate_stream'] ?? 0;
    // The same run's baseline: the heap after a first 500, once they expired.
    const baseline = await abandon(10);
    const after = await abandon(40);
    expect(sim.stats().requestsByRoute['POST /generate_stream']).toBe(requests + 2500);
    console.log(`heap after 500 abandoned streams expired: ${(baseline / 2 ** 20).toFixed(1)} MiB; after 2,000 more: ${(after / 2 ** 20).toFixed(1)} MiB`);
    // Flat: 2,000 kept generations would hold far more than this (each keeps its events, generation and timers).
    expect(after - baseline).toBeLessThan(8 * 2 ** 20);
  }, 120_000);
});
