// WebSocket peers that misbehave below graphql-ws: one without a key that
// sends big pings before connection_init, one that never reads what the
// gateway writes (the answers to its queries) and keeps its socket alive with
// unsolicited pongs, and unauthenticated clients of every kind, which must not
// reach stderr.
import { createClient } from 'graphql-ws';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startSimulator, type Simulator } from '../../src/simulator/index.ts';
import { eventually } from '../e2e/harness.ts';
import { alive, startGatewayProcess, type GatewayProcess } from './gateway-process.ts';
import { OPCODE, openRawPeer, type RawPeer } from './raw-peer.ts';

const MiB = 1_048_576;
const SCHEMA_TYPES = '{ __schema { types { name description fields { name description } } } }';
const STREAM = JSON.stringify({
  id: 'long',
  type: 'subscribe',
  payload: { query: 'subscription { generateStream(input: {modelId: "sim", prompt: "Hi", maxNewTokens: 1000}) { index token { text } } }' },
});

/** Writes `frame` until `limitBytes` are out or the gateway ends the connection; answers the bytes written. */
async function flood(peer: RawPeer, frame: () => void, frameBytes: number, limitBytes: number): Promise<number> {
  let ended = false;
  void peer.ended.then(() => (ended = true));
  let written = 0;
  while (!ended && written < limitBytes) {
    for (let i = 0; i < 64; i++) frame();
    written += 64 * frameBytes;
    // Unsolicited: the gateway's keep-alive counts it as an answer to its pings, read or not.
    peer.send(OPCODE.pong, '');
    await new Promise((r) => setTimeout(r, 1));
  }
  return written;
}

describe('a WebSocket client that does not read', () => {
  let gateway: GatewayProcess;
  let simulator: Simulator;
  afterEach(async () => {
    await gateway.stop();
    await simulator.close();
  });

  it('is closed once its unread output passes WS_MAX_BUFFERED_BYTES; its stream ends upstream; memory stays flat', async () => {
    // 20 ms a token: the stream outlives the attack.
    simulator = await startSimulator({ timeToFirstTokenMs: 1, timePerTokenMs: 20 });
    gateway = await startGatewayProcess({ TGI_SIM_ENDPOINT: simulator.url, WS_MAX_BUFFERED_BYTES: String(MiB) });
    const rssBefore = await gateway.rssAfterGc();
    const peer = await openRawPeer(gateway.url);
    peer.send(OPCODE.text, '{"type":"connection_init"}');
    await eventually(() => peer.received() > 0, 2000, 'connection_ack');
    // From here on, nothing is read.
    peer.tcp.pause();
    peer.send(OPCODE.text, STREAM);
    await eventually(() => simulator.stats().activeStreams === 1, 2000, 'the stream to start');
    // Small queries, each answered at once with some 14 KB of the schema's types. (Pings would
    // not do: past a few a second the socket is closed for them, 1008, read or not.)
    let asked = 0;
    const ask = () => JSON.stringify({ id: `q${(asked += 1)}`, type: 'subscribe', payload: { query: SCHEMA_TYPES } });
    const written = await flood(peer, () => peer.send(OPCODE.text, ask()), ask().length + 8, 64 * MiB);
    const cut = await Promise.race([peer.ended.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 5000))]);
    expect(cut, `the gateway still held the socket after ${(written / MiB).toFixed(0)} MiB of queries`).toBe(true);
    // Cut while the flood still ran. How much the peer wrote by then is its own write rate times the
    // gateway's delay in reading, which a busy machine stretches: no tighter bound says anything more
    // than the memory check below.
    expect(written).toBeLessThan(64 * MiB);
    await eventually(() => simulator.stats().activeStreams === 0, 3000, 'the stream to end upstream');
    expect(simulator.stats().abortedStreams).toBe(1);
    expect(alive(gateway)).toBe(true);
    expect(await gateway.rssAfterGc()).toBeLessThan(rssBefore * 1.2);
  }, 90_000);
});

const pingOf = (bytes: number) => JSON.stringify({ type: 'ping', payload: { pad: 'x'.repeat(bytes) } });

describe('big pings', () => {
  let gateway: GatewayProcess;
  afterEach(() => gateway.stop());

  // graphql-ws answered each with a pong echoing its payload, without limit.
  it('before connection_init: a few KB are read, no payload is echoed, and the socket is closed with 1008', async () => {
    gateway = await startGatewayProcess({ API_KEYS: 'sk-test-0123456789abcdef' });
    const peer = await openRawPeer(gateway.url);
    for (let i = 0; i < 8; i++) peer.send(OPCODE.text, pingOf(128 * 1024));
    const cut = await Promise.race([peer.ended.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 30_000))]);
    expect(cut).toBe(true);
    expect(peer.closeCode()).toBe(1008);
    // The close frame alone: not one pong of 128 KB.
    expect(peer.received()).toBeLessThan(1024);
  }, 90_000);

  it('after connection_init: a small payload is echoed, a big one is not', async () => {
    gateway = await startGatewayProcess();
    const peer = await openRawPeer(gateway.url);
    peer.send(OPCODE.text, '{"type":"connection_init"}');
    await eventually(() => peer.received() > 0, 2000, 'connection_ack');
    const afterAck = peer.received();
    peer.send(OPCODE.text, pingOf(100));
    await eventually(() => peer.received() > afterAck + 100, 2000, 'the echo of a small ping');
    const afterSmall = peer.received();
    peer.send(OPCODE.text, pingOf(512 * 1024));
    await eventually(() => peer.received() > afterSmall, 2000, 'the pong of a big ping');
    await new Promise((r) => setTimeout(r, 200));
    expect(peer.received() - afterSmall).toBeLessThan(64);
  });
});

/** A graphql-ws client with `connectionParams`, no retry: settles when its socket closes. */
function refusedClient(url: string, connectionParams: Record<string, unknown> | undefined): Promise<void> {
  return new Promise((resolve) => {
    const client = createClient({ url: `${url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams, on: { closed: () => resolve() } });
    client.subscribe({ query: 'subscription { generateStream(input: {modelId: "sim", prompt: "Hi"}) { index } }' }, { next: () => undefined, error: () => void client.dispose(), complete: () => undefined });
  });
}

/** A raw peer that sends `frames`, then resets the connection or waits for the gateway to end it. */
async function rawSession(url: string, frames: Array<[number, string]>, reset: boolean): Promise<void> {
  const peer = await openRawPeer(url);
  for (const [opcode, data] of frames) peer.send(opcode as 0x1, data);
  if (reset) peer.tcp.resetAndDestroy();
  await Promise.race([peer.ended, new Promise((r) => setTimeout(r, 3000))]);
  peer.tcp.destroy();
}

describe('unauthenticated WebSocket clients', () => {
  let gateway: GatewayProcess;
  afterEach(() => gateway.stop());

  // graphql-ws's own socket adapter (use/ws) printed their stack traces; the gateway's never did, and must not.
  it('leave nothing on stderr, whatever they send', async () => {
    gateway = await startGatewayProcess({ API_KEYS: 'sk-test-0123456789abcdef', WS_INIT_TIMEOUT_MS: '300' });
    const subscribe = '{"id":"1","type":"subscribe","payload":{"query":"{ info { name } }"}}';
    for (let round = 0; round < 3; round++) {
      await Promise.all([
        refusedClient(gateway.url, undefined),
        refusedClient(gateway.url, { authorization: 'Bearer sk-wrong-0123456789abcdef' }),
        refusedClient(gateway.url, { apiKey: 42 }),
        rawSession(gateway.url, [[OPCODE.text, subscribe]], false),
        rawSession(gateway.url, [[OPCODE.text, '{"type":"connection_init"}'], [OPCODE.text, subscribe]], false),
        rawSession(gateway.url, [[OPCODE.text, '{"type":"connection_init"}'], [OPCODE.text, subscribe]], true),
        rawSession(gateway.url, [[OPCODE.text, 'not json'], [OPCODE.text, pingOf(10)]], false),
        rawSession(gateway.url, [[OPCODE.text, pingOf(64 * 1024)], [OPCODE.text, pingOf(64 * 1024)]], false),
        rawSession(gateway.url, [[OPCODE.text, pingOf(64 * 1024)]], true),
        rawSession(gateway.url, [[OPCODE.close, '']], false),
        rawSession(gateway.url, [], false),
      ]);
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(alive(gateway)).toBe(true);
    expect(gateway.stderr()).toBe('');
  }, 60_000);
});
