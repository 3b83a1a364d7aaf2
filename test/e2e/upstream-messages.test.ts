// What a client reads when a replica fails: the gateway's words, never a
// library's or the kernel's error code (UND_ERR_SOCKET, ECONNRESET, HPE_...)
// nor an address. The code goes to the log, as a field of the failure's line.
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config/index.ts';
import type { Simulator } from '../../src/simulator/index.ts';
import { GenerateDocument, GenerateStreamDocument } from '../gql/graphql.ts';
import { collectSse, collectWs, post, wsClient, type GraphQLErrorShape } from './clients.ts';
import { settled, startSimulators } from './harness.ts';

/** An undici, syscall or llhttp error code. */
const CODE = /UND_ERR|HPE_|\bE[A-Z]{3,}\b/;
const ADDRESS = /https?:\/\/|\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b|localhost:\d+/;
const DROPPED = 'the model server closed the connection during the generation';

const input = (over: Record<string, unknown> = {}) => ({ input: { modelId: 'sim', prompt: 'Tell me a story', maxNewTokens: 8, ...over } });
const errorsOf = (payloads: { errors?: GraphQLErrorShape[] }[]) => payloads.flatMap((p) => p.errors ?? []);

describe('messages of upstream failures', () => {
  let sims: Simulator[];
  let app: App;
  let url: string;
  const logged: Record<string, unknown>[] = [];
  beforeAll(async () => {
    sims = await startSimulators(1);
    const config = loadConfig({
      HOST: '127.0.0.1', PORT: '0', TGI_SIM_ENDPOINT: sims[0]!.url, RETRY_BACKOFF_MS: '0', EJECT_AFTER_FAILURES: '1000',
    });
    app = buildApp(config, pino({ level: 'warn' }, { write: (line: string) => logged.push(JSON.parse(line) as Record<string, unknown>) }));
    url = await app.start();
  });
  beforeEach(() => {
    sims[0]!.clearFaults();
    logged.length = 0;
  });
  afterAll(async () => {
    await app.stop(0);
    await Promise.all(sims.map((s) => s.close()));
  });

  it('say the model server closed the connection when a replica dies mid-stream (graphql-ws)', async () => {
    sims[0]!.setFaults({ dropAfterTokens: 3 });
    const client = wsClient(`${url.replace(/^http/, 'ws')}/graphql`);
    const payloads = await collectWs(client, GenerateStreamDocument, input());
    await client.dispose();
    const [error] = errorsOf(payloads);
    expect(error).toMatchObject({ message: DROPPED, extensions: { code: 'UPSTREAM_ERROR' } });
    expect(error!.message).not.toMatch(CODE);
    await settled(app, sims);
  });

  it('say the same over SSE', async () => {
    sims[0]!.setFaults({ dropAfterTokens: 3 });
    const { payloads } = await collectSse(url, GenerateStreamDocument, input());
    const messages = errorsOf(payloads).map((e) => e.message);
    expect(messages).toEqual([DROPPED]);
    await settled(app, sims);
  });

  it('name no code or address when every attempt was cut off before the answer (GraphQL and REST)', async () => {
    sims[0]!.setFaults({ dropAfterTokens: 2 }); // a unary answer is sent whole at the end: nothing arrives
    const { errors } = await post(url, GenerateDocument, input());
    expect(errors![0]!.extensions!.code).toBe('UPSTREAM_UNAVAILABLE');
    const res = await fetch(`${url}/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model_id: 'sim', prompt: 'Tell me a story', max_new_tokens: 8 }),
    });
    expect(res.status).toBe(503);
    const { detail } = (await res.json()) as { detail: string };
    for (const message of [errors![0]!.message, detail]) {
      expect(message).not.toMatch(CODE);
      expect(message).not.toMatch(ADDRESS);
    }
    await settled(app, sims);
  });

  it('leave the code to the log line of the REST request, as a field of the upstream failure', async () => {
    sims[0]!.setFaults({ dropAfterTokens: 2 });
    const res = await fetch(`${url}/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'req-dropped' },
      body: JSON.stringify({ model_id: 'sim', prompt: 'Tell me a story', max_new_tokens: 8 }),
    });
    expect(res.status).toBe(503);
    const line = logged.find((l) => l.requestId === 'req-dropped' && 'upstream' in l);
    expect(line).toMatchObject({ level: 40, code: 'UPSTREAM_UNAVAILABLE', upstream: { kind: 'reset', detail: expect.stringMatching(CODE) } });
    await settled(app, sims);
  });
});
