// A client that reads slower than TGI writes: the gateway stops reading from
// TGI (TCP back-pressure) instead of buffering the stream, and once the client
// reads again every token arrives, in order.
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Socket } from 'node:net';
import { GenerateStreamDocument } from '../gql/graphql.ts';
import { activeTimers, eventually, settled, startGateway, startSimulators } from '../e2e/harness.ts';

// About 26 MB of SSE: far more than the kernel buffers between the three parties hold, however
// much a loaded machine lets them grow before the client's pause takes hold.
const TOKENS = 200_000;

const tcpOf = (socket: WebSocket) => (socket as unknown as { _socket: Socket })._socket;

describe('a slow consumer', () => {
  it('pauses the upstream read instead of buffering, and loses nothing', async () => {
    // Tokens as fast as the simulator can make them: far more bytes than the kernel buffers hold.
    const [sim] = await startSimulators(1, { timeToFirstTokenMs: 1, timePerTokenMs: 0, maxTotalTokens: 1_000_000, maxInputTokens: 1000 });
    const gateway = await startGateway({ FAST: [sim!] });
    const socket = new WebSocket(gateway.wsUrl, 'graphql-transport-ws');
    let received = 0;
    let lastIndex = 0;
    let finalText: string | null = null;
    let completed = false;
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { type: string; payload?: { data?: { generateStream: { index: number; generatedText: string | null } } } };
      if (message.type === 'connection_ack') {
        socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: GenerateStreamDocument.toString(), variables: { input: { modelId: 'fast', prompt: 'Go', maxNewTokens: TOKENS } } } }));
      } else if (message.type === 'next') {
        const event = message.payload!.data!.generateStream;
        expect(event.index).toBe(lastIndex + 1);
        lastIndex = event.index;
        received += 1;
        finalText = event.generatedText;
        // The client stops reading after the first token.
        if (received === 1) tcpOf(socket).pause();
      } else if (message.type === 'complete') completed = true;
    });
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ type: 'connection_init' }));

    await eventually(() => sim!.stats().completedStreams === 1, 60_000, 'TGI to finish generating');
    // TGI is done, yet megabytes of its stream still wait on its side: the gateway stopped reading.
    // (The kernel buffers on both sides of the gateway hold a few MB.)
    expect(sim!.stats().unsentBytes).toBeGreaterThan(4 << 20);

    tcpOf(socket).resume();
    await eventually(() => completed, 90_000, 'the client to read everything');
    expect(received).toBe(TOKENS);
    expect(finalText).not.toBeNull();
    socket.close();
    await settled(gateway.app, [sim!]);
    await gateway.app.stop(0);
    await sim!.close();
  }, 180_000);
});

describe('a slow consumer whose generation runs out of time', () => {
  it('gets UPSTREAM_TIMEOUT after its tokens, not a normal end, and leaves no timer behind', async () => {
    const [sim] = await startSimulators(1, { timeToFirstTokenMs: 1, timePerTokenMs: 0, maxTotalTokens: 1_000_000, maxInputTokens: 1000 });
    // The budget ends once the buffers between gateway and client are full, so
    // the gateway is holding a token for the client when it runs out.
    const gateway = await startGateway({ FAST: [sim!] }, { UPSTREAM_TIMEOUT_MS: '2500' });
    const socket = new WebSocket(gateway.wsUrl, 'graphql-transport-ws');
    const payloads: { data?: { generateStream: { generatedText: string | null } } | null; errors?: { extensions: { code: string } }[] }[] = [];
    let completed = false;
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { type: string; payload?: (typeof payloads)[number] };
      if (message.type === 'connection_ack') {
        socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: GenerateStreamDocument.toString(), variables: { input: { modelId: 'fast', prompt: 'Go', maxNewTokens: TOKENS } } } }));
      } else if (message.type === 'next') {
        payloads.push(message.payload!);
        if (payloads.length === 1) tcpOf(socket).pause(); // holds the first token for longer than the budget
      } else if (message.type === 'complete') completed = true;
    });
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ type: 'connection_init' }));
    await eventually(() => payloads.length >= 1, 5000, 'the first token');
    await new Promise((r) => setTimeout(r, 3500));
    tcpOf(socket).resume();
    await eventually(() => completed, 60_000, 'the subscription to complete');
    expect(payloads.at(-1)!.errors![0]!.extensions.code).toBe('UPSTREAM_TIMEOUT');
    expect(payloads.some((p) => p.data?.generateStream.generatedText)).toBe(false);
    socket.close();
    await settled(gateway.app, [sim!]);
    await eventually(() => activeTimers() === 0, 15_000, 'every timer to be cleared');
    await gateway.app.stop(0);
    await sim!.close();
  }, 120_000);
});
