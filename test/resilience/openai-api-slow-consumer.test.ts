// A /v1 stream whose client reads slower than the model server writes: the
// gateway stops reading from the server (TCP back-pressure) instead of
// buffering the stream, and once the client reads again every chunk arrives,
// in order, ending with [DONE].
import { request, type IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { eventually, settled, startGateway, startSimulators } from '../e2e/harness.ts';

const TOKENS = 100_000;

describe('a slow reader of a /v1 stream', () => {
  it('pauses the upstream read instead of buffering, and loses nothing', async () => {
    const [sim] = await startSimulators(1, { timeToFirstTokenMs: 1, timePerTokenMs: 0, maxTotalTokens: 1_000_000, maxInputTokens: 1000 });
    const gateway = await startGateway({ FAST: [sim!] });
    let pending = '';
    let texts = 0;
    let done = false;
    let resumed = false;
    const answer = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = request(`${gateway.url}/v1/completions`, { method: 'POST', headers: { 'content-type': 'application/json' } }, resolve);
      req.on('error', reject);
      req.end(JSON.stringify({ model: 'fast', prompt: 'Go', max_tokens: TOKENS, stream: true }));
    });
    expect(answer.statusCode).toBe(200);
    answer.setEncoding('utf8');
    answer.on('data', (chunk: string) => {
      pending += chunk;
      const events = pending.split('\n\n');
      pending = events.pop()!;
      for (const event of events) {
        if (event === 'data: [DONE]') done = true;
        else if ((JSON.parse(event.slice(6)) as { choices: { text: string }[] }).choices[0]!.text !== '') texts += 1;
      }
      // The client stops reading after its first chunk.
      if (texts > 0 && !resumed) answer.pause();
    });

    await eventually(() => sim!.stats().completedStreams === 1, 20_000, 'the server to finish generating');
    // The server is done, yet the gateway's generation is not: it reads the server's stream only as
    // fast as the client takes the chunks, so the stream's end still waits upstream (in the kernel's
    // buffers or the server's), not in the gateway. (Where it waits depends on the kernel's buffer sizes.)
    await new Promise((r) => setTimeout(r, 500));
    expect(gateway.app.services.generation.activeGenerations).toBe(1);
    expect(done).toBe(false);

    resumed = true;
    answer.resume();
    await eventually(() => done, 30_000, 'the client to read everything');
    expect(texts).toBe(TOKENS);
    await settled(gateway.app, [sim!]);
    await gateway.app.stop(0);
    await sim!.close();
  }, 60_000);
});
