// Resumable streams and what bounds them: ownership by API key, rate limits
// (a resume is no new generation), the resume time and the byte bound, and
// STREAM_RESUME_MS=0 turning the feature off.
import { afterEach, describe, expect, it } from 'vitest';
import {
  CancelGenerationDocument,
  GenerateStreamDocument,
  ResumableGenerateStreamDocument,
  ResumeGenerateStreamDocument,
  type ResumableGenerateStreamSubscription,
} from '../gql/graphql.ts';
import { collectWs, post, wsClient, type Result } from './clients.ts';
import { eventually, settled, startStack, type Stack } from './harness.ts';
import { sseUntilDrop, wsUntilDrop } from './resume-clients.ts';

const KEY_A = 'sk-aaaaaaaaaaaaaaaa';
const KEY_B = 'sk-bbbbbbbbbbbbbbbb';
const input = (over: Record<string, unknown> = {}) => ({ input: { modelId: 'sim', prompt: 'Hi', maxNewTokens: 8, seed: 5, resumable: true, ...over } });
const firstEvent = (payloads: Result<ResumableGenerateStreamSubscription>[]) => payloads[0]!.data!.generateStream;
const codeOf = (payloads: Result<unknown>[]) => payloads[0]?.errors?.[0]?.extensions?.code;
const keyed = (key: string) => ({ connectionParams: { authorization: `Bearer ${key}` } });

describe('resumable streams within limits', () => {
  let stack: Stack;
  afterEach(() => stack.stop());

  it('with keys, only the key that started a generation resumes or cancels it', async () => {
    stack = await startStack({ timePerTokenMs: 10 }, { API_KEYS: `${KEY_A},${KEY_B}` });
    const first = await sseUntilDrop(stack.url, ResumableGenerateStreamDocument, input({ maxNewTokens: 30 }), { dropAfter: 1, headers: { 'x-api-key': KEY_A } });
    const { generationId } = firstEvent(first.payloads);
    const other = wsClient(stack.wsUrl, keyed(KEY_B));
    expect(codeOf(await collectWs(other, ResumeGenerateStreamDocument, { generationId, afterIndex: 0 }))).toBe('GENERATION_NOT_FOUND');
    const cancel = await post(stack.url, CancelGenerationDocument, { generationId }, { headers: { 'x-api-key': KEY_B } });
    expect(cancel.errors![0]!.extensions?.code).toBe('GENERATION_NOT_FOUND');
    await other.dispose();
    const owner = wsClient(stack.wsUrl, keyed(KEY_A));
    const all = await collectWs(owner, ResumeGenerateStreamDocument, { generationId, afterIndex: 0 });
    await owner.dispose();
    expect(all.map((p) => p.data!.resumeGenerateStream.index)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
  });

  it('a resume costs no request under RATE_LIMIT_RPM', async () => {
    stack = await startStack({}, { RATE_LIMIT_RPM: '1' });
    const first = await wsUntilDrop(stack.wsUrl, ResumableGenerateStreamDocument, input(), { dropAfter: 1 });
    const client = wsClient(stack.wsUrl);
    const resumed = await collectWs(client, ResumeGenerateStreamDocument, { generationId: firstEvent(first.payloads).generationId, afterIndex: 1 });
    expect(resumed.map((p) => p.data?.resumeGenerateStream.index)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    expect(codeOf(await collectWs(client, GenerateStreamDocument, input({ resumable: false })))).toBe('RATE_LIMITED');
    await client.dispose();
  });

  it('charges RATE_LIMIT_TPM for the generated tokens once, however often they are replayed', async () => {
    stack = await startStack({}, { RATE_LIMIT_TPM: '20' });
    const first = await wsUntilDrop(stack.wsUrl, ResumableGenerateStreamDocument, input({ maxNewTokens: 12 }), { dropAfter: 1 });
    const { generationId } = firstEvent(first.payloads);
    const client = wsClient(stack.wsUrl);
    for (let i = 0; i < 3; i++) expect(await collectWs(client, ResumeGenerateStreamDocument, { generationId, afterIndex: 0 })).toHaveLength(12);
    // 12 of 20 used: another generation is admitted, and after its 12 the key is over.
    expect(await collectWs(client, GenerateStreamDocument, input({ maxNewTokens: 12, resumable: false }))).toHaveLength(12);
    expect(codeOf(await collectWs(client, GenerateStreamDocument, input({ resumable: false })))).toBe('RATE_LIMITED');
    await client.dispose();
  });

  it('a detached generation holds its MAX_CONCURRENT_STREAMS slot until it ends; its resume is never refused', async () => {
    stack = await startStack({ timePerTokenMs: 20 }, { MAX_CONCURRENT_STREAMS: '1' });
    const first = await sseUntilDrop(stack.url, ResumableGenerateStreamDocument, input({ maxNewTokens: 1000 }), { dropAfter: 1 });
    const { generationId } = firstEvent(first.payloads);
    const client = wsClient(stack.wsUrl);
    expect(codeOf(await collectWs(client, GenerateStreamDocument, input({ resumable: false })))).toBe('RATE_LIMITED');
    const resumed = await new Promise<number>((resolve, reject) => {
      const stop = client.subscribe<{ resumeGenerateStream: { index: number } }>(
        { query: ResumeGenerateStreamDocument.toString(), variables: { generationId, afterIndex: 0 } },
        {
          next: (p) => {
            if (p.errors) reject(new Error(p.errors[0]!.message));
            stop(); // an explicit stop by the last follower: the generation ends
            resolve(p.data!.resumeGenerateStream.index);
          },
          error: reject,
          complete: () => undefined,
        },
      );
    });
    expect(resumed).toBe(1);
    await settled(stack.app, stack.simulators);
    expect(await collectWs(client, GenerateStreamDocument, input({ resumable: false }))).toHaveLength(8);
    await client.dispose();
  });

  it('stops a generation nobody resumed within STREAM_RESUME_MS, and forgets it', async () => {
    stack = await startStack({ timePerTokenMs: 20 }, { STREAM_RESUME_MS: '300' });
    const sim = stack.simulators[0]!;
    const aborted = sim.stats().abortedStreams;
    const first = await wsUntilDrop(stack.wsUrl, ResumableGenerateStreamDocument, input({ maxNewTokens: 1000 }), { dropAfter: 1 });
    await eventually(() => sim.stats().abortedStreams === aborted + 1, 3000, 'the simulator to see the abort');
    const client = wsClient(stack.wsUrl);
    expect(codeOf(await collectWs(client, ResumeGenerateStreamDocument, { generationId: firstEvent(first.payloads).generationId, afterIndex: 0 }))).toBe('GENERATION_NOT_FOUND');
    await client.dispose();
    expect(stack.app.services.resumes.size).toBe(0);
    await settled(stack.app, stack.simulators);
  });

  it('keeps at most STREAM_RESUME_MAX_BYTES of events: a resume before them is GENERATION_EXPIRED, after them it is served', async () => {
    stack = await startStack({}, { STREAM_RESUME_MAX_BYTES: '2048' });
    const sim = stack.simulators[0]!;
    const completed = sim.stats().completedStreams;
    const first = await wsUntilDrop(stack.wsUrl, ResumableGenerateStreamDocument, input({ maxNewTokens: 200 }), { dropAfter: 1 });
    const { generationId } = firstEvent(first.payloads);
    await eventually(() => sim.stats().completedStreams === completed + 1, 3000, 'the generation to end');
    const client = wsClient(stack.wsUrl);
    const expired = await collectWs(client, ResumeGenerateStreamDocument, { generationId, afterIndex: 1 });
    expect(expired).toHaveLength(1);
    expect(codeOf(expired)).toBe('GENERATION_EXPIRED');
    const tail = await collectWs(client, ResumeGenerateStreamDocument, { generationId, afterIndex: 197 });
    expect(tail.map((p) => p.data!.resumeGenerateStream.index)).toEqual([198, 199, 200]);
    await client.dispose();
  });

  it('refuses resumable: true with BAD_USER_INPUT when STREAM_RESUME_MS=0, before any upstream call', async () => {
    stack = await startStack({}, { STREAM_RESUME_MS: '0' });
    const client = wsClient(stack.wsUrl);
    const refused = await collectWs(client, ResumableGenerateStreamDocument, input());
    expect(refused[0]!.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'resumable' });
    expect(stack.simulators[0]!.stats().requestsByRoute['POST /generate_stream'] ?? 0).toBe(0);
    expect(await collectWs(client, ResumableGenerateStreamDocument, input({ resumable: false }))).toHaveLength(8);
    await client.dispose();
  });
});
