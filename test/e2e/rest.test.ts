// The original backend's REST API: same paths, snake_case shapes and statuses.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertNothingRunning, eventually, startGateway, type Stack, startStack } from './harness.ts';

const json = (url: string, body?: unknown, headers: Record<string, string> = {}) => fetch(url, body === undefined ? { headers } : {
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

describe('REST compatibility API', () => {
  let stack: Stack;
  let extra: Awaited<ReturnType<typeof startGateway>>;
  beforeAll(async () => {
    stack = await startStack();
    extra = await startGateway({ SIM: stack.simulators, LATER: '', GONE: 'http://127.0.0.1:9' }, { UPSTREAM_TIMEOUT_MS: '200' });
  });
  afterAll(async () => {
    await extra.app.stop(0);
    await stack.stop();
  });

  it('GET / describes the gateway and points to GraphQL', async () => {
    const res = await json(`${stack.url}/`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ name: 'tgi-graphql-gateway', version: expect.any(String), docs: '/graphql' });
  });

  it('GET /models lists models as the original backend did', async () => {
    const body = await (await json(`${extra.url}/models`)).json();
    expect(body).toEqual(expect.arrayContaining([
      { id: 'sim', name: 'sim', hf_name: 'simulator/tiny-llm', endpoint: stack.simulators[0]!.url, available: true },
      { id: 'later', name: 'later', hf_name: 'later', endpoint: null, available: false },
    ]));
  });

  it('GET /models/{id}/health gives the lower-case status, 404 for an unknown id', async () => {
    expect(await (await json(`${extra.url}/models/sim/health`)).json()).toEqual({
      model_id: 'sim', endpoint: stack.simulators[0]!.url, healthy: true, status: 'available',
    });
    expect((await (await json(`${extra.url}/models/later/health`)).json()).status).toBe('not_configured');
    expect((await (await json(`${extra.url}/models/gone/health`)).json()).status).toBe('unavailable');
    expect((await json(`${extra.url}/models/%E0%A4%A/health`)).status).toBe(404);
    const missing = await json(`${extra.url}/models/nope/health`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ detail: expect.stringContaining('nope') });
  });

  it('POST /generate returns the text and model id', async () => {
    const res = await json(`${stack.url}/generate`, { model_id: 'sim', prompt: 'Hi', max_new_tokens: 5, temperature: 0.5, top_p: 0.9, repetition_penalty: 1.1 });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBeTruthy();
    expect(await res.json()).toEqual({ generated_text: expect.any(String), model_id: 'sim' });
    expect(stack.simulators[0]!.stats().lastGenerationHeaders['x-request-id']).toBe(res.headers.get('x-request-id'));
  });

  it.each([
    ['unknown model', { model_id: 'nope', prompt: 'x' }, 404],
    ['bad parameter', { model_id: 'sim', prompt: 'x', top_p: 1 }, 422],
    ['wrong type', { model_id: 'sim', prompt: 5 }, 422],
    ['model without endpoint', { model_id: 'later', prompt: 'x' }, 503],
    ['unreachable model', { model_id: 'gone', prompt: 'x' }, 503],
  ])('POST /generate answers %s with %i and a detail', async (_what, body, status) => {
    const res = await json(`${extra.url}/generate`, body);
    expect(res.status).toBe(status);
    expect(await res.json()).toEqual({ detail: expect.any(String) });
  });

  it('POST /generate answers 504 when TGI is too slow, 429 with Retry-After when overloaded, 502 on TGI errors', async () => {
    const sim = stack.simulators[0]!;
    sim.setFaults({ stallBeforeHeaders: true, times: 1 });
    expect((await json(`${extra.url}/generate`, { model_id: 'sim', prompt: 'x' })).status).toBe(504);
    sim.setFaults({ overloaded: true, times: 3 });
    const overloaded = await json(`${extra.url}/generate`, { model_id: 'sim', prompt: 'x' });
    expect(overloaded.status).toBe(429);
    expect(overloaded.headers.get('retry-after')).toMatch(/^\d+$/);
    sim.setFaults({ errorAfterTokens: 1, times: 1 });
    expect((await json(`${extra.url}/generate`, { model_id: 'sim', prompt: 'x' })).status).toBe(502);
    await eventually(() => assertNothingRunning(sim));
  });

  it('names fields in errors as the client sent them', async () => {
    const res = await json(`${stack.url}/generate`, { model_id: 'sim', prompt: 'x', top_p: 1 });
    expect((await res.json()).detail).toMatch(/^top_p must be/);
  });

  it('refuses bodies that are not JSON objects', async () => {
    // 422, as the original backend (FastAPI) answered.
    expect((await json(`${stack.url}/generate`, '{oops')).status).toBe(422);
    const form = await fetch(`${stack.url}/generate`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' });
    expect(form.status).toBe(422);
    expect(await form.json()).toEqual({ detail: expect.stringContaining('application/json') });
  });
});
