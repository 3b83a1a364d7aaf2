// The simulator as llama.cpp's llama-server (SIMULATOR_FLAVOUR=llamacpp, or
// llamacpp-legacy for a build from before September 2025): what it says of
// itself, what its key guards, how it queues, and how it fails for what a
// request caused.
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index.ts';
import { post } from './openai-helpers.ts';

let sims: Simulator[] = [];
afterEach(async () => {
  await Promise.all(sims.map((s) => s.close()));
  sims = [];
});

async function llama(options: Partial<SimulatorOptions> = {}): Promise<Simulator> {
  const sim = await startSimulator({ protocol: 'openai', flavour: 'llamacpp', timeToFirstTokenMs: 1, timePerTokenMs: 1, ...options });
  sims.push(sim);
  return sim;
}

const completion = { prompt: 'Hello', max_tokens: 3, stream: false };
const json = async (res: Response) => (await res.json()) as Record<string, unknown>;

describe('the llama.cpp flavour', () => {
  it('lists its model as llamacpp, with the serving context as meta.n_ctx beside the training one', async () => {
    const sim = await llama({ maxTotalTokens: 2048, maxInputTokens: 2047 });
    const list = await json(await fetch(`${sim.url}/v1/models`));
    const [entry] = list.data as Record<string, unknown>[];
    expect(entry).toMatchObject({ object: 'model', owned_by: 'llamacpp', meta: { n_ctx: 2048, n_ctx_train: 131072 } });
  });

  it('states the context only in /props in a legacy build, with its slots', async () => {
    const sim = await llama({ flavour: 'llamacpp-legacy', maxTotalTokens: 2048, maxInputTokens: 2047, maxConcurrentRequests: 3 });
    const [entry] = (await json(await fetch(`${sim.url}/v1/models`))).data as { meta: Record<string, unknown> }[];
    expect(entry!.meta).not.toHaveProperty('n_ctx');
    expect(await json(await fetch(`${sim.url}/props`))).toMatchObject({ default_generation_settings: { n_ctx: 2048 }, total_slots: 3 });
  });

  it('leaves /health and /v1/models open whatever its key, and guards /props and the generations', async () => {
    const sim = await llama({ apiKey: 'k' });
    expect((await fetch(`${sim.url}/health`)).status).toBe(200);
    expect((await fetch(`${sim.url}/v1/models`)).status).toBe(200);
    expect((await fetch(`${sim.url}/props`)).status).toBe(401);
    expect((await fetch(`${sim.url}/props`, { headers: { authorization: 'Bearer k' } })).status).toBe(200);
    expect((await post(sim, '/v1/completions', completion)).status).toBe(401);
  });

  it('queues what its slots cannot hold instead of answering 503', async () => {
    const sim = await llama({ maxConcurrentRequests: 1, timePerTokenMs: 20 });
    const answers = await Promise.all(Array.from({ length: 3 }, () => post(sim, '/v1/completions', completion)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    await Promise.all(answers.map((a) => a.text()));
  });

  it('ends a stream with the finish in a chunk of its own, of empty text', async () => {
    const sim = await llama();
    const text = await (await post(sim, '/v1/completions', { ...completion, stream: true })).text();
    const chunks = text.split('\n\n').filter((b) => b.startsWith('data: {')).map((b) => JSON.parse(b.slice(6)) as { choices: { text: string; finish_reason: string | null }[] });
    const last = chunks.at(-1)!.choices[0]!;
    expect(last).toMatchObject({ text: '', finish_reason: 'length' });
    expect(chunks.slice(0, -1).every((c) => c.choices[0]!.finish_reason === null && c.choices[0]!.text !== '')).toBe(true);
  });

  it.each([
    ['contextShift', 'context shift is disabled'],
    ['outputFormat', 'The model produced output that does not match the expected tool call format'],
  ] as const)('answers the %s fault with HTTP 500 and its error object', async (fault, message) => {
    const sim = await llama();
    sim.setFaults({ requestTiedError: fault });
    const res = await post(sim, '/v1/completions', completion);
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ error: { code: 500, message, type: 'server_error' } });
  });

  it('sends it as an `error:` line inside a 200 stream in a legacy build', async () => {
    const sim = await llama({ flavour: 'llamacpp-legacy' });
    sim.setFaults({ requestTiedError: 'contextShift' });
    const res = await post(sim, '/v1/completions', { ...completion, stream: true });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('error: {"code":500,"message":"context shift is disabled","type":"server_error"}\n\ndata: [DONE]\n\n');
  });
});
