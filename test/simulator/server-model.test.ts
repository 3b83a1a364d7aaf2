// The simulator as a model server under load: a prefix cache that saves the
// prefill of prompts it has seen, a running batch of limited size with a
// queue behind it, and the gauges a router reads, in each protocol's names.
import { describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/simulator/index.ts';
import { postJson, useSimulator } from './helpers.ts';

const start = useSimulator();

/** About 500 prompt tokens of the simulator's tokenizer. */
const LONG = 'The shared system prompt says many things. '.repeat(50);

/** Milliseconds until a one-token generation is answered: its queue, its prefill, its first token. */
async function timeOne(simulator: Simulator, prompt: string): Promise<number> {
  const started = performance.now();
  const response = await postJson(simulator, '/generate', { inputs: prompt, parameters: { max_new_tokens: 1 } });
  expect(response.status).toBe(200);
  await response.text();
  return performance.now() - started;
}

async function gauges(simulator: Simulator): Promise<string> {
  return (await fetch(`${simulator.url}/metrics`)).text();
}

describe('the simulated prefix cache and prefill', () => {
  const options = { timeToFirstTokenMs: 0, timePerTokenMs: 0, maxInputTokens: 8000, maxTotalTokens: 8192, prefillMsPerToken: 1.5 };

  it('prefills a prompt it has cached in a fraction of the time of one it has not', async () => {
    const simulator = await start({ ...options, prefixCacheBlocks: 1000 });
    const cold = await timeOne(simulator, LONG);
    const warm = await timeOne(simulator, LONG);
    const other = await timeOne(simulator, `Another system prompt altogether. ${LONG}`);
    // About 500 tokens at 1.5 ms each: the prefill alone takes 750 ms, and a timer never fires early.
    expect(cold).toBeGreaterThan(700);
    expect(warm).toBeLessThan(cold / 3);
    expect(other).toBeGreaterThan(700);
  });

  it('keeps no more blocks than its capacity: a prompt longer than the cache is prefilled again', async () => {
    const simulator = await start({ ...options, prefixCacheBlocks: 8 });
    const cold = await timeOne(simulator, LONG);
    const again = await timeOne(simulator, LONG);
    expect(again).toBeGreaterThan(cold / 2);
  });

  it('caches nothing without a capacity (the default)', async () => {
    const simulator = await start(options);
    const cold = await timeOne(simulator, LONG);
    expect(await timeOne(simulator, LONG)).toBeGreaterThan(cold / 2);
  });
});

describe('the running batch and its queue', () => {
  it('runs at most maxBatchSize requests and queues the rest, in the gauges of TGI', async () => {
    const simulator = await start({ timeToFirstTokenMs: 0, timePerTokenMs: 40, maxBatchSize: 2 });
    const requests = Array.from({ length: 5 }, () => postJson(simulator, '/generate', { inputs: 'hi', parameters: { max_new_tokens: 5 } }));
    await new Promise((resolve) => setTimeout(resolve, 60));
    const page = await gauges(simulator);
    expect(page).toContain('tgi_batch_current_size 2\n');
    expect(page).toContain('tgi_queue_size 3\n');
    await Promise.all((await Promise.all(requests)).map((r) => r.text()));
    const idle = await gauges(simulator);
    expect(idle).toContain('tgi_batch_current_size 0\n');
    expect(idle).toContain('tgi_queue_size 0\n');
  });

  it('gives a place back when its client leaves while queued', async () => {
    const simulator = await start({ timeToFirstTokenMs: 0, timePerTokenMs: 40, maxBatchSize: 1 });
    const running = postJson(simulator, '/generate', { inputs: 'hi', parameters: { max_new_tokens: 3 } });
    const leaving = new AbortController();
    const queued = postJson(simulator, '/generate', { inputs: 'hi', parameters: { max_new_tokens: 3 } }, leaving.signal).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(await gauges(simulator)).toContain('tgi_queue_size 1\n');
    leaving.abort();
    await queued;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await gauges(simulator)).toContain('tgi_queue_size 0\n');
    await (await running).text();
  });

  it("tells waiting, running and KV-cache use in vLLM's names in openai mode", async () => {
    const simulator = await start({ protocol: 'openai', servedModelName: 'served', timeToFirstTokenMs: 0, timePerTokenMs: 40, maxBatchSize: 1, prefixCacheBlocks: 100 });
    const body = { model: 'served', prompt: LONG.slice(0, 400), max_tokens: 3 };
    const requests = [0, 1].map(() => postJson(simulator, '/v1/completions', body));
    await new Promise((resolve) => setTimeout(resolve, 30));
    const page = await gauges(simulator);
    expect(page).toContain('vllm:num_requests_running{model_name="served"} 1\n');
    expect(page).toContain('vllm:num_requests_waiting{model_name="served"} 1\n');
    expect(page).toMatch(/vllm:kv_cache_usage_perc\{model_name="served"\} 0\.\d+\n/);
    await Promise.all((await Promise.all(requests)).map((r) => r.text()));
  });
});
