// The generate mutation over HTTP, and every error code it can produce.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GenerateDocument } from '../gql/graphql.ts';
import { post } from './clients.ts';
import { assertNothingRunning, eventually, startGateway, startSimulators, type Stack, startStack } from './harness.ts';

const input = (over: Record<string, unknown> = {}) => ({ input: { modelId: 'sim', prompt: 'Why is the sky blue?', maxNewTokens: 6, seed: 42, ...over } });

describe('generate mutation', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({}, { UPSTREAM_FIRST_TOKEN_TIMEOUT_MS: '300' });
  });
  afterAll(() => stack.stop());
  const generated = () => stack.simulators[0]!.stats().requestsByRoute['POST /generate'] ?? 0;

  it('returns the whole text with its details', async () => {
    const { data, errors } = await post(stack.url, GenerateDocument, input());
    expect(errors).toBeUndefined();
    expect(data!.generate).toMatchObject({ modelId: 'sim', details: { finishReason: 'LENGTH', generatedTokens: 6, seed: '42' } });
    expect(data!.generate.generatedText.length).toBeGreaterThan(0);
  });

  it('is deterministic for a prompt and seed, as the simulator promises', async () => {
    const a = await post(stack.url, GenerateDocument, input({ seed: 9 }));
    const b = await post(stack.url, GenerateDocument, input({ seed: 9 }));
    expect(a.data!.generate.generatedText).toBe(b.data!.generate.generatedText);
  });

  it.each([
    ['temperature', { temperature: 0 }],
    ['topP', { topP: 1.0 }],
    ['topK', { topK: 0 }],
    ['maxNewTokens', { maxNewTokens: 0 }],
    ['stop', { stop: ['a', 'b', 'c', 'd', 'e'] }],
    ['prompt', { prompt: '' }],
    ['maxNewTokens', { maxNewTokens: 5000 }],
    ['repetitionPenalty', { repetitionPenalty: 0 }],
  ])('refuses a bad %s with BAD_USER_INPUT, without calling TGI', async (field, over) => {
    const before = generated();
    const { errors } = await post(stack.url, GenerateDocument, input(over));
    expect(errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(generated()).toBe(before);
  });

  it('puts the request id in every error, keeping the one the client sent', async () => {
    const { errors } = await post(stack.url, GenerateDocument, input({ topP: 2 }), { headers: { 'x-request-id': 'req-42' } });
    expect(errors![0]!.extensions!.requestId).toBe('req-42');
  });

  it("sends TGI the request id and the caller's trace with a span of the gateway", async () => {
    const parent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    await post(stack.url, GenerateDocument, input(), { headers: { 'x-request-id': 'req-7', traceparent: parent } });
    const sent = stack.simulators[0]!.stats().lastGenerationHeaders;
    expect(sent['x-request-id']).toBe('req-7');
    expect(sent.traceparent).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
    expect(sent.traceparent).not.toBe(parent);
    await post(stack.url, GenerateDocument, input());
    expect(stack.simulators[0]!.stats().lastGenerationHeaders.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });

  it('answers MODEL_NOT_FOUND for an unknown model', async () => {
    const { errors } = await post(stack.url, GenerateDocument, input({ modelId: 'nope' }));
    expect(errors![0]!.extensions!.code).toBe('MODEL_NOT_FOUND');
  });

  it('answers UPSTREAM_OVERLOADED when TGI is overloaded', async () => {
    stack.simulators[0]!.setFaults({ overloaded: true, times: 3 });
    const { errors } = await post(stack.url, GenerateDocument, input());
    expect(errors![0]!.extensions!.code).toBe('UPSTREAM_OVERLOADED');
  });

  it('answers UPSTREAM_ERROR when the generation fails in TGI', async () => {
    stack.simulators[0]!.setFaults({ errorAfterTokens: 2, times: 1 });
    const { errors } = await post(stack.url, GenerateDocument, input());
    expect(errors![0]!.extensions!.code).toBe('UPSTREAM_ERROR');
  });

  it('answers UPSTREAM_TIMEOUT when TGI does not answer in time, and aborts the request', async () => {
    const sim = stack.simulators[0]!;
    const aborted = sim.stats().abortedGenerations;
    sim.setFaults({ stallBeforeHeaders: true, times: 3 });
    const { errors } = await post(stack.url, GenerateDocument, input());
    sim.clearFaults();
    expect(errors![0]!.extensions!.code).toBe('UPSTREAM_TIMEOUT');
    await eventually(() => sim.stats().abortedGenerations === aborted + 1, 2000, 'the simulator to see the abort');
    expect(assertNothingRunning(sim)).toBe(true);
  });

  it('ends the upstream generation when the HTTP client disconnects', async () => {
    const sim = stack.simulators[0]!;
    sim.setTiming({ timePerTokenMs: 20 });
    const aborted = sim.stats().abortedGenerations;
    const controller = new AbortController();
    const request = post(stack.url, GenerateDocument, input({ maxNewTokens: 500 }), { signal: controller.signal }).catch(() => 'aborted');
    await eventually(() => sim.stats().activeGenerations === 1, 2000, 'the generation to start');
    controller.abort();
    expect(await request).toBe('aborted');
    await eventually(() => sim.stats().abortedGenerations === aborted + 1, 2000, 'the simulator to see the abort');
    expect(assertNothingRunning(sim)).toBe(true);
    sim.setTiming({ timePerTokenMs: 2 });
  });
});

describe('generate against models that cannot serve', () => {
  it('answers MODEL_NOT_CONFIGURED for a model without endpoint', async () => {
    const gateway = await startGateway({ LATER: '' });
    const { errors } = await post(gateway.url, GenerateDocument, input({ modelId: 'later' }));
    expect(errors![0]!.extensions!.code).toBe('MODEL_NOT_CONFIGURED');
    await gateway.app.stop(0);
  });

  it('answers UPSTREAM_UNAVAILABLE when no replica can be reached, without leaking its address', async () => {
    const [sim] = await startSimulators(1);
    const url = sim!.url;
    await sim!.close();
    const gateway = await startGateway({ GONE: url });
    const { errors } = await post(gateway.url, GenerateDocument, input({ modelId: 'gone' }));
    expect(errors![0]!.extensions!.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(JSON.stringify(errors)).not.toContain(new URL(url).host);
    await gateway.app.stop(0);
  });
});
