// generateStream over GraphQL-over-SSE (yoga's distinct-connections mode).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GenerateStreamDocument } from '../gql/graphql.ts';
import { collectSse } from './clients.ts';
import { assertNothingRunning, eventually, startStack, type Stack } from './harness.ts';

const input = (over: Record<string, unknown> = {}) => ({ input: { modelId: 'sim', prompt: 'Hello', maxNewTokens: 8, seed: 1, ...over } });

describe('generateStream over SSE', () => {
  let stack: Stack;
  let split: Stack;
  beforeAll(async () => {
    stack = await startStack();
    // TGI's bytes delivered 1 at a time, CRLF line endings: events and UTF-8 characters split anywhere.
    split = await startStack({ chunkBytes: 1, lineEnding: '\r\n' });
  });
  afterAll(async () => {
    await stack.stop();
    await split.stop();
  });

  it('streams tokens as `next` events and ends with `complete`', async () => {
    const { payloads, completed } = await collectSse(stack.url, GenerateStreamDocument, input());
    expect(completed).toBe(true);
    expect(payloads.map((p) => p.data!.generateStream.index)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(payloads.at(-1)!.data!.generateStream.details!.finishReason).toBe('LENGTH');
  });

  it('decodes the same text when TGI bytes arrive split anywhere, CRLF included', async () => {
    const variables = input({ maxNewTokens: 40, seed: 5 });
    const whole = await collectSse(stack.url, GenerateStreamDocument, variables);
    const pieces = await collectSse(split.url, GenerateStreamDocument, variables);
    const text = (r: typeof whole) => r.payloads.map((p) => p.data!.generateStream.token.text).join('');
    expect(text(pieces)).toBe(text(whole));
    expect(pieces.payloads.at(-1)!.data!.generateStream.generatedText).toBe(whole.payloads.at(-1)!.data!.generateStream.generatedText);
    expect(text(whole)).toMatch(/[^\x00-\x7f]/);
  });

  it('ends the upstream generation when the client drops the connection', async () => {
    const sim = stack.simulators[0]!;
    const aborted = sim.stats().abortedStreams;
    const controller = new AbortController();
    const { payloads } = await collectSse(stack.url, GenerateStreamDocument, input({ maxNewTokens: 1000 }), {
      signal: controller.signal,
      onPayload: (_p, i) => {
        if (i === 2) controller.abort();
      },
    });
    expect(payloads.length).toBeGreaterThanOrEqual(3);
    await eventually(() => sim.stats().abortedStreams === aborted + 1, 2000, 'the simulator to see the abort');
    expect(assertNothingRunning(sim)).toBe(true);
  });

  it('reports an upstream stream cut mid-way as one error payload, then completes', async () => {
    const sim = stack.simulators[0]!;
    sim.setFaults({ dropAfterTokens: 2, times: 1 });
    const { payloads, completed } = await collectSse(stack.url, GenerateStreamDocument, input());
    expect(completed).toBe(true);
    expect(payloads).toHaveLength(3);
    expect(payloads[2]!.errors![0]!.extensions!.code).toBe('UPSTREAM_ERROR');
  });
});
