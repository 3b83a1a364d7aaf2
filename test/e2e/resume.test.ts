// Resumable streams (API.md § Resumable streams): a stream whose transport is
// lost keeps its generation running; resumed after the last index the client
// holds, it delivers exactly the rest, over graphql-ws or SSE, on either; an
// explicit stop still ends the upstream request at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CancelGenerationDocument,
  GenerateStreamDocument,
  ResumableChatStreamDocument,
  ResumableGenerateStreamDocument,
  ResumeChatStreamDocument,
  ResumeGenerateStreamDocument,
  type ResumableGenerateStreamSubscription,
  type ResumeGenerateStreamSubscription,
} from '../gql/graphql.ts';
import { collectWs, post, wsClient, type Result } from './clients.ts';
import { eventually, settled, startStack, type Stack } from './harness.ts';
import { sseUntilDrop, wsUntilDrop } from './resume-clients.ts';

const input = (over: Record<string, unknown> = {}) => ({ input: { modelId: 'sim', prompt: 'Tell me about GPUs', maxNewTokens: 6, seed: 7, resumable: true, ...over } });

type TokenEvent = { generationId: string; index: number; token: { text: string }; generatedText?: string | null };
const started = (payloads: Result<ResumableGenerateStreamSubscription>[]): TokenEvent[] => payloads.flatMap((p) => (p.data ? [p.data.generateStream] : []));
const resumed = (payloads: Result<ResumeGenerateStreamSubscription>[]): TokenEvent[] => payloads.flatMap((p) => (p.data ? [p.data.resumeGenerateStream] : []));
const streamRequests = (stack: Stack) => stack.simulators[0]!.stats().requestsByRoute['POST /generate_stream'] ?? 0;

describe('resumable streams', () => {
  let stack: Stack;
  /** The uninterrupted stream of the same request: what every resumed one must add up to. */
  let reference: { index: number; text: string }[];

  beforeAll(async () => {
    stack = await startStack();
    const client = wsClient(stack.wsUrl);
    const payloads = await collectWs(client, GenerateStreamDocument, input({ resumable: false }));
    await client.dispose();
    reference = payloads.map((p) => ({ index: p.data!.generateStream.index, text: p.data!.generateStream.token.text }));
    expect(reference).toHaveLength(6);
  });
  afterAll(() => stack.stop());

  it('puts the same unguessable generationId on every event, resumable or not', async () => {
    const client = wsClient(stack.wsUrl);
    const [plain, resumable] = await Promise.all([
      collectWs(client, ResumableGenerateStreamDocument, input({ resumable: false })),
      collectWs(client, ResumableGenerateStreamDocument, input()),
    ]);
    await client.dispose();
    for (const payloads of [plain, resumable]) {
      const ids = new Set(started(payloads).map((e) => e.generationId));
      expect(ids.size).toBe(1);
      expect([...ids][0]).toMatch(/^[A-Za-z0-9_-]{22}$/); // 128 random bits
    }
    expect(started(plain)[0]!.generationId).not.toBe(started(resumable)[0]!.generationId);
  });

  describe.each([
    { transport: 'graphql-ws', drop: wsUntilDrop, url: (s: Stack) => s.wsUrl },
    { transport: 'SSE', drop: sseUntilDrop, url: (s: Stack) => s.url },
  ])('a drop over $transport', ({ drop, url }) => {
    it.each([
      { position: 'after the first event', dropAfter: 1 },
      { position: 'in the middle', dropAfter: 3 },
      { position: 'after the last event', dropAfter: 6 },
      { position: 'after the end', dropAfter: Number.POSITIVE_INFINITY },
    ])('$position is resumed exactly, on one upstream generation', async ({ dropAfter }) => {
      const requests = streamRequests(stack);
      const first = await drop(url(stack), ResumableGenerateStreamDocument, input(), { dropAfter });
      const before = started(first.payloads);
      const last = before.at(-1)!;
      // Over both transports: resumed over the other one than it started on half the time.
      const client = wsClient(stack.wsUrl);
      const rest = resumed(await collectWs(client, ResumeGenerateStreamDocument, { generationId: last.generationId, afterIndex: last.index }));
      await client.dispose();
      const all = [...before, ...rest];
      expect(all.map((e) => ({ index: e.index, text: e.token.text }))).toEqual(reference);
      expect(new Set(all.map((e) => e.generationId))).toEqual(new Set([last.generationId]));
      expect(all.at(-1)!.generatedText).toBe(reference.map((e) => e.text).join(''));
      expect(streamRequests(stack)).toBe(requests + 1);
    });
  });

  it('resumes over SSE a stream that started over graphql-ws, from the start too', async () => {
    const first = await wsUntilDrop(stack.wsUrl, ResumableGenerateStreamDocument, input(), { dropAfter: 2 });
    const { generationId } = started(first.payloads)[0]!;
    const again = await sseUntilDrop(stack.url, ResumeGenerateStreamDocument, { generationId, afterIndex: 0 });
    expect(again.completed).toBe(true);
    expect(resumed(again.payloads).map((e) => ({ index: e.index, text: e.token.text }))).toEqual(reference);
  });

  it('serves several followers of one generation, each from its own index', async () => {
    const first = await wsUntilDrop(stack.wsUrl, ResumableGenerateStreamDocument, input({ maxNewTokens: 40 }), { dropAfter: 1 });
    const { generationId } = started(first.payloads)[0]!;
    const client = wsClient(stack.wsUrl);
    const [a, b] = await Promise.all([
      collectWs(client, ResumeGenerateStreamDocument, { generationId, afterIndex: 0 }),
      collectWs(client, ResumeGenerateStreamDocument, { generationId, afterIndex: 20 }),
    ]);
    await client.dispose();
    expect(resumed(a).map((e) => e.index)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(resumed(b).map((e) => e.index)).toEqual(Array.from({ length: 20 }, (_, i) => i + 21));
    expect(resumed(b).map((e) => e.token.text)).toEqual(resumed(a).slice(20).map((e) => e.token.text));
  });

  it('resumes a chat stream', async () => {
    const chat = { input: { modelId: 'sim', messages: [{ role: 'USER' as const, content: 'Hi' }], maxTokens: 8, seed: 3, resumable: true } };
    const first = await wsUntilDrop(stack.wsUrl, ResumableChatStreamDocument, chat, { dropAfter: 2 });
    const before = first.payloads.map((p) => p.data!.chatStream);
    const client = wsClient(stack.wsUrl);
    const rest = (await collectWs(client, ResumeChatStreamDocument, { generationId: before[0]!.generationId, afterIndex: 2 })).map((p) => p.data!.resumeChatStream);
    const whole = (await collectWs(client, ResumableChatStreamDocument, { input: { ...chat.input, resumable: false } })).map((p) => p.data!.chatStream);
    await client.dispose();
    expect([...before, ...rest].map((e) => [e.index, e.delta])).toEqual(whole.map((e) => [e.index, e.delta]));
  });

  it('refuses an unknown id, a negative index and an id of the other kind', async () => {
    const client = wsClient(stack.wsUrl);
    const unknown = await collectWs(client, ResumeGenerateStreamDocument, { generationId: 'AAAAAAAAAAAAAAAAAAAAAA', afterIndex: 0 });
    expect(unknown[0]!.errors![0]!.extensions?.code).toBe('GENERATION_NOT_FOUND');
    const first = await wsUntilDrop(stack.wsUrl, ResumableGenerateStreamDocument, input(), { dropAfter: 1 });
    const { generationId } = started(first.payloads)[0]!;
    const negative = await collectWs(client, ResumeGenerateStreamDocument, { generationId, afterIndex: -1 });
    expect(negative[0]!.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'afterIndex' });
    const otherKind = await collectWs(client, ResumeChatStreamDocument, { generationId, afterIndex: 0 });
    expect(otherKind[0]!.errors![0]!.extensions?.code).toBe('GENERATION_NOT_FOUND');
    await client.dispose();
  });

  it('waits for an index past the last event while the generation runs, and completes with none once it ended', async () => {
    const first = await wsUntilDrop(stack.wsUrl, ResumableGenerateStreamDocument, input({ maxNewTokens: 30 }), { dropAfter: 1 });
    const { generationId } = started(first.payloads)[0]!;
    const client = wsClient(stack.wsUrl);
    const ahead = resumed(await collectWs(client, ResumeGenerateStreamDocument, { generationId, afterIndex: 25 }));
    expect(ahead.map((e) => e.index)).toEqual([26, 27, 28, 29, 30]);
    expect(await collectWs(client, ResumeGenerateStreamDocument, { generationId, afterIndex: 30 })).toEqual([]);
    await client.dispose();
  });

  describe('an explicit stop ends the upstream at once', () => {
    it('graphql-ws complete on a resumable stream', async () => {
      const sim = stack.simulators[0]!;
      const aborted = sim.stats().abortedStreams;
      const client = wsClient(stack.wsUrl);
      const generationId = await new Promise<string>((resolve, reject) => {
        const unsubscribe = client.subscribe<ResumableGenerateStreamSubscription>(
          { query: ResumableGenerateStreamDocument.toString(), variables: input({ maxNewTokens: 1000 }) },
          {
            next: (p) => {
              unsubscribe();
              resolve(p.data!.generateStream.generationId);
            },
            error: reject,
            complete: () => undefined,
          },
        );
      });
      await eventually(() => sim.stats().abortedStreams === aborted + 1, 2000, 'the simulator to see the abort');
      // Stopped, it stays readable: a resume replays what it produced, then completes.
      const replay = resumed(await collectWs(client, ResumeGenerateStreamDocument, { generationId, afterIndex: 0 }));
      expect(replay.length).toBeGreaterThan(0);
      await client.dispose();
      await settled(stack.app, stack.simulators);
    });

    it('cancelGeneration on a detached one: true while it runs, false once ended', async () => {
      const sim = stack.simulators[0]!;
      const aborted = sim.stats().abortedStreams;
      const first = await sseUntilDrop(stack.url, ResumableGenerateStreamDocument, input({ maxNewTokens: 1000 }), { dropAfter: 1 });
      const { generationId } = started(first.payloads)[0]!;
      expect(stack.app.services.generation.activeGenerations).toBe(1); // detached, still running
      expect((await post(stack.url, CancelGenerationDocument, { generationId })).data?.cancelGeneration).toBe(true);
      await eventually(() => sim.stats().abortedStreams === aborted + 1, 2000, 'the simulator to see the abort');
      expect((await post(stack.url, CancelGenerationDocument, { generationId })).data?.cancelGeneration).toBe(false);
      const unknown = await post(stack.url, CancelGenerationDocument, { generationId: 'nope' });
      expect(unknown.errors![0]!.extensions?.code).toBe('GENERATION_NOT_FOUND');
      await settled(stack.app, stack.simulators);
    });
  });

  it('keeps a detached generation running to its end, unread', async () => {
    const sim = stack.simulators[0]!;
    const completed = sim.stats().completedStreams;
    const first = await wsUntilDrop(stack.wsUrl, ResumableGenerateStreamDocument, input({ maxNewTokens: 50 }), { dropAfter: 1 });
    await eventually(() => sim.stats().completedStreams === completed + 1, 3000, 'the detached generation to complete');
    const client = wsClient(stack.wsUrl);
    const rest = resumed(await collectWs(client, ResumeGenerateStreamDocument, { generationId: started(first.payloads)[0]!.generationId, afterIndex: 1 }));
    await client.dispose();
    expect(rest.map((e) => e.index)).toEqual(Array.from({ length: 49 }, (_, i) => i + 2));
  });
});
