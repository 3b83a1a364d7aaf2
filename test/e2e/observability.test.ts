// What operators see: /metrics in Prometheus's format (per model, operation,
// transport and outcome code; time to first token; tokens; gauges of what is
// under way; replica health) and one access-log line per generation request,
// on every transport, however it ended.
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config/index.ts';
import type { Simulator } from '../../src/simulator/index.ts';
import { GenerateDocument, GenerateStreamDocument } from '../gql/graphql.ts';
import { collectSse, collectWs, post, wsClient } from './clients.ts';
import { eventually, settled, startSimulators } from './harness.ts';

const KEY = 'sk-metrics-0123456789ab';
const input = (over: Record<string, unknown> = {}) => ({ input: { modelId: 'sim', prompt: 'Hello', maxNewTokens: 5, ...over } });
const auth = { headers: { 'x-api-key': KEY } };

/** The value of one series in a Prometheus text exposition. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('metrics and access log', () => {
  let sims: Simulator[];
  let app: App;
  let url: string;
  const logged: Record<string, unknown>[] = [];
  const access = () => logged.filter((l) => l.component === 'access');
  const scrape = async () => (await fetch(`${url}/metrics`)).text();

  beforeAll(async () => {
    sims = await startSimulators(1, { timeToFirstTokenMs: 2, timePerTokenMs: 3 });
    const config = loadConfig({
      HOST: '127.0.0.1', PORT: '0', TGI_SIM_ENDPOINT: sims[0]!.url, API_KEYS: KEY, RATE_LIMIT_RPM: '1000', EXPOSE_ENDPOINTS: 'false',
    });
    const logger = pino({ level: 'info' }, { write: (line: string) => logged.push(JSON.parse(line) as Record<string, unknown>) });
    app = buildApp(config, logger);
    url = await app.start();
  });
  beforeEach(() => {
    logged.length = 0;
  });
  afterAll(async () => {
    await app.stop(0);
    await Promise.all(sims.map((s) => s.close()));
  });

  it('serves /metrics without a key, in Prometheus text format, process metrics included', async () => {
    const res = await fetch(`${url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toContain('# TYPE tgi_gateway_first_token_seconds histogram');
    expect(text).toContain('# TYPE tgi_gateway_tokens_total counter');
    expect(text).toMatch(/^process_cpu_seconds_total /m);
    // Replicas named by their place when endpoints are hidden.
    expect(sample(text, 'tgi_gateway_replica_healthy{model="sim",replica="0"}')).toBe(1);
    expect(sample(text, 'tgi_gateway_replica_state{model="sim",replica="0",state="HEALTHY"}')).toBe(1);
    expect(text).not.toContain(sims[0]!.url);
  });

  it('counts a unary generation by model, operation, transport and code, with its tokens and times, and logs it once', async () => {
    const before = await scrape();
    const requests = 'tgi_gateway_requests_total{model="sim",protocol="tgi",operation="generate",transport="http",code="OK"}';
    expect((await post(url, GenerateDocument, input(), auth)).errors).toBeUndefined();
    const after = await scrape();
    expect(sample(after, requests)).toBe((sample(before, requests) ?? 0) + 1);
    expect(sample(after, 'tgi_gateway_tokens_total{model="sim",protocol="tgi",operation="generate"}')).toBeGreaterThanOrEqual(5);
    expect(sample(after, 'tgi_gateway_first_token_seconds_count{model="sim",protocol="tgi",operation="generate"}')).toBeGreaterThanOrEqual(1);
    expect(access()).toEqual([expect.objectContaining({
      msg: 'generation finished', model: 'sim', protocol: 'tgi', operation: 'generate', transport: 'http', code: 'OK', ending: 'completed',
      generatedTokens: 5, attempts: 1, caller: expect.stringMatching(/^key:[0-9a-f]{12}$/), replica: sims[0]!.url,
      requestId: expect.any(String), timeToFirstTokenMs: expect.any(Number), totalMs: expect.any(Number),
    })]);
  });

  it('shows a stream under way in the gauges, then counts its tokens and time per token', async () => {
    const client = wsClient(url.replace('http', 'ws') + '/graphql', { connectionParams: { apiKey: KEY } });
    const stream = collectWs(client, GenerateStreamDocument, input({ maxNewTokens: 30 }));
    await eventually(() => app.services.generation.activeGenerations === 1, 2000, 'the stream');
    const during = await scrape();
    expect(sample(during, 'tgi_gateway_active_subscriptions{transport="ws"}')).toBe(1);
    expect(sample(during, 'tgi_gateway_in_flight_generations{model="sim",operation="generateStream"}')).toBe(1);
    expect(await stream).toHaveLength(30);
    await client.dispose();
    await settled(app, sims);
    const after = await scrape();
    expect(sample(after, 'tgi_gateway_active_subscriptions{transport="ws"}')).toBe(0);
    expect(sample(after, 'tgi_gateway_time_per_output_token_seconds_count{model="sim"}')).toBe(1);
    expect(access()).toEqual([expect.objectContaining({ operation: 'generateStream', transport: 'ws', ending: 'completed', generatedTokens: 30 })]);
  });

  it('logs how a stream ended when its client left, over SSE', async () => {
    const controller = new AbortController();
    await collectSse(url, GenerateStreamDocument, input({ maxNewTokens: 50 }), {
      signal: controller.signal,
      headers: auth.headers,
      onPayload: (_p, i) => i === 2 && controller.abort(),
    }).catch(() => undefined);
    await settled(app, sims);
    await eventually(() => access().length === 1, 2000, 'the access line');
    expect(access()[0]).toMatchObject({ transport: 'sse', ending: 'client_left', code: 'CANCELLED' });
    expect(access()[0]!.generatedTokens).toBeGreaterThanOrEqual(3);
  });

  it('counts and logs refusals: bad input, an unknown model, and a missing key at the door', async () => {
    const before = await scrape();
    await post(url, GenerateDocument, input({ maxNewTokens: -1 }), auth);
    await post(url, GenerateDocument, input({ modelId: 'nope' }), auth);
    await fetch(`${url}/generate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const after = await scrape();
    const refusedInput = 'tgi_gateway_requests_total{model="sim",protocol="tgi",operation="generate",transport="http",code="BAD_USER_INPUT"}';
    expect(sample(after, refusedInput)).toBe((sample(before, refusedInput) ?? 0) + 1);
    // A model id the client made up is no label: series cannot be minted at will.
    expect(after).not.toContain('model="nope"');
    expect(sample(after, 'tgi_gateway_requests_total{model="(unknown)",protocol="(unknown)",operation="generate",transport="http",code="MODEL_NOT_FOUND"}')).toBe(1);
    expect(sample(after, 'tgi_gateway_refused_requests_total{transport="rest",code="UNAUTHENTICATED"}')).toBeGreaterThanOrEqual(1);
    expect(access().map((l) => [l.msg, l.code, l.ending])).toEqual([
      ['generation refused', 'BAD_USER_INPUT', 'refused'],
      ['generation refused', 'MODEL_NOT_FOUND', 'refused'],
    ]);
    expect(logged.some((l) => l.msg === 'request refused' && l.code === 'UNAUTHENTICATED' && l.transport === 'rest')).toBe(true);
  });

  it('counts and logs requests refused before they ran, on every transport', async () => {
    const twenty = `mutation { ${Array.from({ length: 2 }, (_, i) => `g${i}: generate(input: {modelId: "sim", prompt: "x"}) { generatedText }`).join(' ')} }`;
    await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': KEY, 'x-request-id': 'two-gens' }, body: JSON.stringify({ query: twenty }) });
    await fetch(`${url}/generate`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': KEY, 'x-request-id': 'bad-body' }, body: '{"model_id": 1}' });
    const client = wsClient(url.replace('http', 'ws') + '/graphql', { connectionParams: { apiKey: KEY } });
    await new Promise((resolve) => client.subscribe({ query: twenty }, { next: resolve, error: resolve, complete: () => undefined }));
    await client.dispose();
    const text = await scrape();
    expect(sample(text, 'tgi_gateway_refused_requests_total{transport="http",code="GRAPHQL_VALIDATION_FAILED"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'tgi_gateway_refused_requests_total{transport="rest",code="BAD_USER_INPUT"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'tgi_gateway_refused_requests_total{transport="ws",code="GRAPHQL_VALIDATION_FAILED"}')).toBeGreaterThanOrEqual(1);
    const refusals = logged.filter((l) => l.msg === 'request refused');
    expect(refusals.find((l) => l.requestId === 'two-gens')).toMatchObject({ level: 30, transport: 'http', code: 'GRAPHQL_VALIDATION_FAILED' });
    expect(refusals.find((l) => l.requestId === 'bad-body')).toMatchObject({ transport: 'rest', code: 'BAD_USER_INPUT' });
    expect(refusals.some((l) => l.transport === 'ws')).toBe(true);
  });

  it('counts a subscription its resolver refuses once, as a generation refusal, not also at the door', async () => {
    const before = await scrape();
    await collectSse(url, GenerateStreamDocument, input({ modelId: 'nope' }), { headers: auth.headers });
    const after = await scrape();
    const door = 'tgi_gateway_refused_requests_total{transport="http",code="MODEL_NOT_FOUND"}';
    expect(sample(after, door) ?? 0).toBe(sample(before, door) ?? 0);
    const service = 'tgi_gateway_requests_total{model="(unknown)",protocol="(unknown)",operation="generateStream",transport="sse",code="MODEL_NOT_FOUND"}';
    expect(sample(after, service)).toBe((sample(before, service) ?? 0) + 1);
    expect(logged.filter((l) => l.msg === 'request refused')).toEqual([]);
  });

  it('logs a REST generation that fails upstream, with its request id and code', async () => {
    sims[0]!.setFaults({ httpStatus: 503, times: 3 });
    const res = await fetch(`${url}/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': KEY, 'x-request-id': 'rest-503' },
      body: JSON.stringify({ model_id: 'sim', prompt: 'Hi', max_new_tokens: 2 }),
    });
    expect(res.status).toBe(503);
    sims[0]!.clearFaults();
    expect(access().find((l) => l.requestId === 'rest-503')).toMatchObject({ level: 40, transport: 'rest', code: 'UPSTREAM_UNAVAILABLE', ending: 'error', attempts: 3 });
  });
});
