// Graceful shutdown: readiness turns 503 at once, new work is refused on every
// path, running generations may finish within the drain, the rest are cut
// with GATEWAY_SHUTTING_DOWN and aborted upstream, sockets close with 1001.
import { describe, expect, it } from 'vitest';
import { GenerateStreamDocument, GatewayInfoDocument, type GenerateStreamSubscription } from '../gql/graphql.ts';
import { collectWs, post, wsClient, type Result } from '../e2e/clients.ts';
import { eventually, startGateway, startSimulators } from '../e2e/harness.ts';

const input = (maxNewTokens: number) => ({ input: { modelId: 'pool', prompt: 'Drain me', maxNewTokens } });

describe('graceful shutdown', () => {
  it('drains, then cuts what is left, closes sockets with 1001 and aborts upstream', async () => {
    const [sim] = await startSimulators(1, { timePerTokenMs: 20 });
    const gateway = await startGateway({ POOL: [sim!] });
    const closeCodes: number[] = [];
    const client = wsClient(gateway.wsUrl);
    client.on('closed', (event) => closeCodes.push((event as { code: number }).code));
    const idle = wsClient(gateway.wsUrl, { keepOpenMs: 60_000 });
    await collectWs(idle, GatewayInfoDocument, {}); // connected before the drain

    const short = collectWs(client, GenerateStreamDocument, input(5));
    const long: Result<GenerateStreamSubscription>[] = [];
    const longDone = new Promise<void>((resolve) => {
      client.subscribe<GenerateStreamSubscription>({ query: GenerateStreamDocument.toString(), variables: input(500) }, {
        next: (p) => void long.push(p as Result<GenerateStreamSubscription>),
        error: () => resolve(),
        complete: () => resolve(),
      });
    });
    await eventually(() => sim!.stats().activeStreams === 2, 2000, 'both streams to start');

    const stopped = gateway.app.stop(400);
    expect((await fetch(`${gateway.url}/readyz`)).status).toBe(503);
    const refused = await post(gateway.url, GatewayInfoDocument);
    expect(refused.status).toBe(503);
    expect(refused.errors![0]!.extensions!.code).toBe('GATEWAY_SHUTTING_DOWN');
    const rest = await fetch(`${gateway.url}/generate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model_id":"pool","prompt":"x"}' });
    expect(rest.status).toBe(503);
    // An open socket stays open during the drain, but takes no new operation.
    const late = await collectWs(idle, GenerateStreamDocument, input(5)).catch((errors: unknown) => errors);
    expect(JSON.stringify(late)).toContain('GATEWAY_SHUTTING_DOWN');

    const shortPayloads = await short;
    expect(shortPayloads.at(-1)!.data!.generateStream.details!.generatedTokens).toBe(5);
    await longDone;
    expect(long.length).toBeGreaterThan(5);
    expect(long.at(-1)!.errors![0]!.extensions!.code).toBe('GATEWAY_SHUTTING_DOWN');
    await stopped;
    await eventually(() => closeCodes.length > 0, 2000, 'the socket to close');
    expect(closeCodes[0]).toBe(1001);
    expect(sim!.stats()).toMatchObject({ activeStreams: 0, abortedStreams: 1, tokensAfterAbort: 0 });
    await client.dispose();
    await idle.dispose();
    await sim!.close();
  });
});
