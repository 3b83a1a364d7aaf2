// Pings bounded per second, not only per message: a client, keyed or not,
// that pings without pause gets a burst of pongs and then a 1008 close that
// names the pings, whether it sends graphql-ws pings or WebSocket ping frames.
// A graphql-ws client whose keep-alive pings far more often than any real one
// streams on untouched, well past the burst.
import { createClient } from 'graphql-ws';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { PING_BURST, PINGS_PER_SECOND } from '../../src/transport/ws/ping-rate.ts';
import { eventually } from '../e2e/harness.ts';
import { alive, startGatewayProcess, type GatewayProcess } from './gateway-process.ts';

const KEY = 'sk-test-0123456789abcdef';
const FLOOD = 500;

interface Peer {
  socket: WebSocket;
  /** graphql-ws pongs and WebSocket pong frames received so far. */
  pongs(): number;
  /** The close code and reason, once the socket closed. */
  closed: Promise<{ code: number; reason: string }>;
}

/** A `ws` socket on /graphql, acknowledged first when `key` is given. */
async function openPeer(url: string, key: string | undefined): Promise<Peer> {
  const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
  let pongs = 0;
  socket.on('pong', () => (pongs += 1));
  const messages: string[] = [];
  socket.on('message', (data) => {
    const message = String(data);
    if ((JSON.parse(message) as { type: string }).type === 'pong') pongs += 1;
    else messages.push(message);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  if (key !== undefined) {
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${key}` } }));
    await eventually(() => messages.some((m) => m.startsWith('{"type":"connection_ack"')), 5000, 'connection_ack');
  }
  return { socket, pongs: () => pongs, closed };
}

/**
 * `FLOOD` pings, ten at a time a millisecond apart: paced, so that ws's own bound on
 * pongs not yet written (it terminates a socket past 60) never acts; the gateway's must.
 */
async function flood(peer: Peer, ping: (socket: WebSocket) => void): Promise<void> {
  for (let i = 0; i < FLOOD && peer.socket.readyState === WebSocket.OPEN; i += 10) {
    for (let j = 0; j < 10; j++) ping(peer.socket);
    await new Promise((r) => setTimeout(r, 1));
  }
}

/** The close, or undefined when the socket is still open after `ms`. */
const closedWithin = (peer: Peer, ms: number) => Promise.race([peer.closed, new Promise<undefined>((r) => setTimeout(() => r(undefined), ms))]);

describe('a client that pings without pause', () => {
  let gateway: GatewayProcess;
  afterEach(() => gateway.stop());

  for (const [kind, ping] of [
    ['graphql-ws pings', (s: WebSocket) => s.send('{"type":"ping","payload":{"n":1}}')],
    ['WebSocket ping frames', (s: WebSocket) => s.ping('x')],
  ] as const) {
    it(`after connection_init (${kind}): gets a burst of pongs, then 1008 naming the pings; the gateway serves on`, async () => {
      gateway = await startGatewayProcess({ API_KEYS: KEY });
      const peer = await openPeer(gateway.url, KEY);
      const started = performance.now();
      await flood(peer, ping);
      const close = await closedWithin(peer, 10_000);
      const seconds = (performance.now() - started) / 1000;
      expect(close, `still open after ${FLOOD} pings, ${peer.pongs()} pongs`).toBeDefined();
      expect(close!.code).toBe(1008);
      expect(close!.reason).toMatch(/too many pings/);
      // The burst, and what the rate refilled while the flood was read: nowhere near one each.
      expect(peer.pongs()).toBeGreaterThanOrEqual(PING_BURST);
      expect(peer.pongs()).toBeLessThanOrEqual(PING_BURST + Math.ceil(PINGS_PER_SECOND * seconds));
      expect(await gateway.healthz()).toBeLessThan(Infinity);
      expect(alive(gateway)).toBe(true);
    }, 60_000);
  }

  it('before connection_init, without a key: small pings within the 16 KB get no more than the burst either', async () => {
    gateway = await startGatewayProcess({ API_KEYS: KEY });
    const peer = await openPeer(gateway.url, undefined);
    // 500 × 15 bytes: under what a socket may send before connection_init.
    await flood(peer, (socket) => socket.send('{"type":"ping"}'));
    const close = await closedWithin(peer, 4000);
    expect(close?.code).toBe(1008);
    expect(close?.reason).toMatch(/too many pings/);
    expect(peer.pongs()).toBeLessThan(FLOOD / 4);
  }, 60_000);
});

describe("graphql-ws's keep-alive", () => {
  let gateway: GatewayProcess;
  afterEach(() => gateway.stop());

  it('pinging every 250 ms (real clients: every 10 s or so) streams on untouched, well past the burst', async () => {
    // 10 ms a token: the stream outlives the pings counted below.
    gateway = await startGatewayProcess({ API_KEYS: KEY, SIMULATOR_TOKEN_MS: '10' });
    let sent = 0;
    let answered = 0;
    let closed: { code: number; reason: string } | undefined;
    const client = createClient({
      url: `${gateway.url.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      keepAlive: 250,
      connectionParams: { authorization: `Bearer ${KEY}` },
      on: {
        ping: (received) => received || (sent += 1),
        pong: (received) => received && (answered += 1),
        closed: (event) => (closed = { code: (event as CloseEvent).code, reason: (event as CloseEvent).reason }),
      },
    });
    let tokens = 0;
    let failure: unknown;
    let done = false;
    const stop = client.subscribe(
      { query: 'subscription { generateStream(input: {modelId: "simulator", prompt: "Hi", maxNewTokens: 2000}) { index } }' },
      { next: () => (tokens += 1), error: (error) => (failure = error), complete: () => (done = true) },
    );
    const wanted = PING_BURST + 10;
    await eventually(() => sent >= wanted || closed !== undefined || failure !== undefined || done, 60_000, `${wanted} keep-alive pings`);
    expect(closed).toBeUndefined();
    expect(failure).toBeUndefined();
    expect(done, 'the stream ended before the pings were counted').toBe(false);
    expect(sent).toBeGreaterThanOrEqual(wanted);
    // Each ping waits for the last one's pong: at most one is unanswered.
    expect(answered).toBeGreaterThanOrEqual(sent - 1);
    const before = tokens;
    await eventually(() => tokens > before, 5000, 'more tokens');
    stop();
    await client.dispose();
  }, 90_000);
});
