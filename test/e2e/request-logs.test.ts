// Masked errors: the client learns the code and the request id, never the
// upstream's own text; the log keeps the details under that same request id,
// on HTTP and graphql-ws alike.
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startSimulator, type Simulator } from '../../src/simulator/index.ts';
import { startGatewayProcess, type GatewayProcess } from '../attacks/gateway-process.ts';

const GENERATE = 'mutation { generate(input: {modelId: "sim", prompt: "Hi", maxNewTokens: 2}) { generatedText } }';
interface Failure { message: string; extensions: { code: string; requestId: string } }

const linesOf = (gateway: GatewayProcess, requestId: string) =>
  gateway.log().split('\n').filter((line) => line.includes(`"requestId":"${requestId}"`)).map((line) => JSON.parse(line) as Record<string, unknown>);

describe('what the log keeps of a failed request', () => {
  let simulator: Simulator;
  let gateway: GatewayProcess;
  beforeAll(async () => {
    simulator = await startSimulator({ timeToFirstTokenMs: 1, timePerTokenMs: 1 });
    gateway = await startGatewayProcess({ TGI_SIM_ENDPOINT: simulator.url, NODE_ENV: 'production', RETRY_MAX_ATTEMPTS: '1' });
  });
  afterAll(async () => {
    await gateway.stop();
    await simulator.close();
  });

  it('over HTTP: the client gets the code and its request id, the log the failure under that id', async () => {
    simulator.setFaults({ dropAfterTokens: 0 });
    const res = await fetch(`${gateway.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'req-http-1' }, body: JSON.stringify({ query: GENERATE }) });
    simulator.setFaults({});
    const { errors } = (await res.json()) as { errors: Failure[] };
    expect(errors[0]!.extensions).toMatchObject({ requestId: 'req-http-1' });
    expect(JSON.stringify(errors)).not.toMatch(/UND_ERR|ECONN|127\.0\.0\.1|stack/);
    await new Promise((r) => setTimeout(r, 100));
    const lines = linesOf(gateway, 'req-http-1');
    expect(lines.length).toBeGreaterThan(0);
    expect(JSON.stringify(lines)).toMatch(/UND_ERR|ECONN|socket|reset/i);
  });

  it('over graphql-ws: the same, with the id made for the operation', async () => {
    simulator.setFaults({ httpStatus: 500 });
    const client = createClient({ url: `${gateway.url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0 });
    const errors = await new Promise<Failure[]>((resolve) => client.subscribe({ query: GENERATE }, { next: (r) => resolve(r.errors as unknown as Failure[]), error: (e) => resolve(e as Failure[]), complete: () => undefined }));
    await client.dispose();
    simulator.setFaults({});
    const { code, requestId } = errors[0]!.extensions;
    expect(code).toBe('UPSTREAM_ERROR');
    await new Promise((r) => setTimeout(r, 100));
    const lines = linesOf(gateway, requestId);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.some((line) => line.code === 'UPSTREAM_ERROR')).toBe(true);
  });
});
