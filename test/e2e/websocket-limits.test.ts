// What one WebSocket may hold: time to send connection_init, message size,
// operations at once, idle time, and liveness (a peer that stops answering
// pings is dropped).
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { openRawPeer } from '../attacks/raw-peer.ts';
import { eventually, settled, startStack, type Stack } from './harness.ts';

/** A raw graphql-transport-ws socket, to speak the protocol (or not) by hand. */
function open(stack: Stack, options: { autoPong?: boolean } = {}): Promise<{ socket: WebSocket; messages: unknown[]; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(stack.wsUrl, 'graphql-transport-ws', { autoPong: options.autoPong ?? true });
    const messages: unknown[] = [];
    const closed = new Promise<number>((done) => socket.once('close', (code) => done(code)));
    socket.on('message', (data) => messages.push(JSON.parse(String(data))));
    socket.once('open', () => resolve({ socket, messages, closed }));
    socket.once('error', reject);
  });
}

/** Sends connection_init and waits for the ack (graphql-ws closes with 4401 on a subscribe before it). */
async function init(socket: WebSocket, messages: unknown[]): Promise<void> {
  socket.send(JSON.stringify({ type: 'connection_init' }));
  await eventually(() => messages.some((m) => (m as { type: string }).type === 'connection_ack'), 2000, 'connection_ack');
}
const subscribe = (socket: WebSocket, id: string, tokens: number) => socket.send(JSON.stringify({
  id,
  type: 'subscribe',
  payload: { query: `subscription { generateStream(input: {modelId: "sim", prompt: "Hi", maxNewTokens: ${tokens}}) { index } }` },
}));

describe('WebSocket limits', () => {
  let stack: Stack;
  afterEach(() => stack.stop());

  it('closes a socket that does not send connection_init in time with 4408', async () => {
    stack = await startStack({}, { WS_INIT_TIMEOUT_MS: '100' });
    const { closed } = await open(stack);
    expect(await closed).toBe(4408);
  });

  // ws alone waits 30 s for the answer to its close frame: such a socket lived some 35 s.
  it('cuts off within seconds a socket that ignores the close frame', async () => {
    stack = await startStack({}, { WS_INIT_TIMEOUT_MS: '100' });
    const peer = await openRawPeer(stack.url);
    await eventually(() => peer.closeCode() !== undefined, 2000, 'the close frame');
    expect(peer.closeCode()).toBe(4408);
    const cut = await Promise.race([peer.ended.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 10_000))]);
    expect(cut).toBe(true);
  }, 90_000);

  it('closes a socket that sends a message over MAX_REQUEST_BYTES with 1009', async () => {
    stack = await startStack({}, { MAX_REQUEST_BYTES: '2048' });
    const { socket, messages, closed } = await open(stack);
    await init(socket, messages);
    socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: `{ info { name } } #${'x'.repeat(4096)}` } }));
    expect(await closed).toBe(1009);
  });

  it('refuses operations past WS_MAX_OPERATIONS on one socket with RATE_LIMITED, then takes them again', async () => {
    stack = await startStack({ timeToFirstTokenMs: 1, timePerTokenMs: 10 }, { WS_MAX_OPERATIONS: '1' });
    const { socket, messages } = await open(stack);
    await init(socket, messages);
    subscribe(socket, 'a', 10);
    await eventually(() => messages.some((m) => (m as { id?: string }).id === 'a'), 2000, 'the first stream');
    subscribe(socket, 'b', 2);
    await eventually(() => messages.some((m) => (m as { id?: string; type: string }).id === 'b' && (m as { type: string }).type === 'error'), 2000, 'the refusal');
    const refusal = messages.find((m) => (m as { id?: string }).id === 'b') as { payload: { extensions: { code: string; retryAfterSeconds: number } }[] };
    expect(refusal.payload[0]!.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 1 });
    await eventually(() => messages.some((m) => (m as { id?: string; type: string }).id === 'a' && (m as { type: string }).type === 'complete'), 3000, 'the first stream to end');
    subscribe(socket, 'c', 2);
    await eventually(() => messages.some((m) => (m as { id?: string; type: string }).id === 'c' && (m as { type: string }).type === 'complete'), 2000, 'the third');
    socket.close();
    await settled(stack.app, stack.simulators);
  });

  it('ends an operation the client completes however the complete is written, counts the running ones, and aborts them when the socket closes', async () => {
    stack = await startStack({ timeToFirstTokenMs: 1, timePerTokenMs: 20 }, { WS_MAX_OPERATIONS: '2' });
    const { socket, messages, closed } = await open(stack);
    await init(socket, messages);
    const mutation = (id: string) => socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query: 'mutation { generate(input: {modelId: "sim", prompt: "Hi", maxNewTokens: 200}) { generatedText } }' } }));
    // An escaped "complete" is a complete: graphql-ws's one parse of the message reads it as one.
    for (const id of ['a', 'b', 'c', 'd']) {
      mutation(id);
      await new Promise((r) => setTimeout(r, 30));
      socket.send(`{"type":"\\u0063omplete","id":"${id}"}`);
    }
    await eventually(() => stack.simulators[0]!.stats().abortedGenerations === 4, 2000, 'the four to be aborted');
    expect(messages.filter((m) => (m as { type: string }).type === 'error')).toEqual([]);
    // Two running mutations are what the socket may hold: a third is refused.
    for (const id of ['a', 'b', 'c']) mutation(id);
    await eventually(() => messages.filter((m) => (m as { type: string }).type === 'error').length === 1, 2000, 'one refusal');
    const refusals = messages.filter((m) => (m as { type: string }).type === 'error') as { id: string; payload: { extensions: { code: string } }[] }[];
    expect(refusals.map((r) => [r.id, r.payload[0]!.extensions.code])).toEqual([['c', 'RATE_LIMITED']]);
    await eventually(() => stack.simulators[0]!.stats().activeGenerations === 2, 2000, 'two generations');
    socket.close();
    await closed;
    await eventually(() => stack.simulators[0]!.stats().abortedGenerations === 6, 2000, 'the two to be aborted');
    await settled(stack.app, stack.simulators);
  });

  it('closes with 4400 a client that sends a message only a server may send, however it is written', async () => {
    stack = await startStack();
    for (const frame of ['{"type":"next","id":"1","payload":{}}', '{"type":"\\u006eext","id":"1","payload":{}}', '{"type":"connection_ack"}']) {
      const { socket, closed } = await open(stack);
      socket.send(frame);
      expect(await closed, frame).toBe(4400);
    }
  });

  it('closes a socket idle for WS_IDLE_TIMEOUT_MS, but not while a stream runs on it', async () => {
    stack = await startStack({ timeToFirstTokenMs: 1, timePerTokenMs: 40 }, { WS_IDLE_TIMEOUT_MS: '200' });
    const { socket, messages, closed } = await open(stack);
    await init(socket, messages);
    subscribe(socket, 'long', 10); // about 400 ms of tokens, twice the idle time
    const started = performance.now();
    expect(await closed).toBe(1000);
    const lasted = performance.now() - started;
    expect(messages.filter((m) => (m as { type: string }).type === 'next')).toHaveLength(10);
    expect(lasted).toBeGreaterThan(550); // the stream, then the idle time
  });

  it('drops a peer that stops answering pings', async () => {
    stack = await startStack({}, { WS_KEEPALIVE_MS: '100' });
    const { socket, messages, closed } = await open(stack, { autoPong: false });
    await init(socket, messages);
    const code = await closed;
    expect(code).not.toBe(1000);
    expect(stack.app.services.streams.size).toBe(0);
  });
});
