// The upstream key, and with EXPOSE_ENDPOINTS=false a replica's address, never
// reach a client or a log line, whatever form a server echoes them in (any
// letter case, base64, base64url, cut in pieces), through every operation and
// transport, health and the model's hfName included.
import { afterEach, describe, expect, it } from 'vitest';
import { ChatDocument, ChatStreamDocument, GenerateDocument, GenerateStreamDocument } from '../gql/graphql.ts';
import { post } from './clients.ts';
import { startEchoingServer, type EchoingServer } from './echoing-server.ts';
import { PROTOCOLS, startLoggedGateway, subscribe, TRANSPORTS } from './protocols.ts';

const KEY = 'sk-e2e-9c4b1f7d2a6e8035bd71';
const MODELS = 'query { models { id hfName health { healthy error endpoint } replicas { url } } }';

const generateInput = { input: { modelId: 'pool', prompt: 'Hi', maxNewTokens: 3 } };
const chatInput = { input: { modelId: 'pool', messages: [{ role: 'USER' as const, content: 'Hi' }], maxTokens: 3 } };

/** Every form of the key this test's server sends, and pieces of it, as they would be found in text. */
function keyTraces(): string[] {
  const half = Math.floor(KEY.length / 2);
  const auth = `Bearer ${KEY}`;
  return [
    KEY, KEY.toUpperCase(), KEY.slice(0, half), KEY.slice(half),
    Buffer.from(auth).toString('base64').slice(4, -4), Buffer.from(`authorization: ${auth}`).toString('base64url').slice(8, -4),
  ];
}

describe.each(PROTOCOLS)('a %s server that echoes the key and its address, with EXPOSE_ENDPOINTS=false', (protocol) => {
  let echo: EchoingServer | undefined;
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    await echo?.close();
  });

  it('has them blotted out of every answer and every log line; hfName falls back to the id', async () => {
    echo = await startEchoingServer(protocol, KEY);
    const gateway = await startLoggedGateway({ POOL: echo.url }, {
      TGI_POOL_PROTOCOL: protocol, TGI_POOL_API_KEY: KEY, HEALTH_CACHE_TTL_MS: '0', EXPOSE_ENDPOINTS: 'false',
    });
    stop = () => gateway.app.stop(0);
    const answers: unknown[] = [
      await post(gateway.url, GenerateDocument, generateInput),
      await post(gateway.url, ChatDocument, chatInput),
    ];
    for (const transport of TRANSPORTS) {
      answers.push(await subscribe(transport, gateway, GenerateStreamDocument, generateInput));
      answers.push(await subscribe(transport, gateway, ChatStreamDocument, chatInput));
    }
    answers.push(await (await fetch(`${gateway.url}/generate`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model_id: 'pool', prompt: 'Hi', max_new_tokens: 3 }),
    })).text());
    const models = await (await fetch(`${gateway.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: MODELS }) })).json() as {
      data: { models: { hfName: string; health: { healthy: boolean; error: string | null } }[] };
    };
    answers.push(models, await (await fetch(`${gateway.url}/models`)).text(), await (await fetch(`${gateway.url}/models/pool/health`)).text());
    const text = JSON.stringify(answers);

    // The server's words still reach the client, cleaned.
    expect(text).toContain('[redacted]');
    expect(text).toMatch(/rejected/);
    expect(models.data.models[0]).toMatchObject({ hfName: 'pool', health: { healthy: false, error: expect.stringContaining('[redacted]') } });
    for (const trace of keyTraces()) {
      expect(text.toLowerCase()).not.toContain(trace.toLowerCase());
      expect(gateway.log().toLowerCase()).not.toContain(trace.toLowerCase());
    }
    expect(text).not.toContain(echo.address);
    expect(gateway.log().length).toBeGreaterThan(0);
  });
});
