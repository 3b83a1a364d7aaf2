// A browser from an origin outside ALLOWED_ORIGINS gets the same clear answer
// on every route (403 to its preflight, no Access-Control-Allow-Origin), and
// the operator gets one log line per refused origin saying why.
import { request, type IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayProcess, type GatewayProcess } from '../attacks/gateway-process.ts';

const preflight = (url: string, path: string, origin: string) => fetch(`${url}${path}`, {
  method: 'OPTIONS',
  headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
});

function openSocket(url: string, origin: string, host?: string): Promise<number | 'open'> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`${url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws', { origin, ...(host ? { headers: { host } } : {}) });
    socket.once('open', () => {
      socket.close();
      resolve('open');
    });
    socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    socket.once('error', () => undefined);
  });
}

const refusalLines = (log: string, origin: string) =>
  log.split('\n').filter((line) => line.includes('origin not in ALLOWED_ORIGINS') && line.includes(`"origin":"${origin}"`));

describe('origins outside ALLOWED_ORIGINS', () => {
  let gateway: GatewayProcess;
  beforeAll(async () => {
    gateway = await startGatewayProcess({ ALLOWED_ORIGINS: 'http://app.example' });
  });
  afterAll(() => gateway.stop());

  it('get 403 without Access-Control-Allow-Origin to a preflight, on every route', async () => {
    for (const path of ['/graphql', '/generate', '/models', '/', '/nope']) {
      const res = await preflight(gateway.url, path, 'http://evil.example');
      expect(res.status, path).toBe(403);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      expect(await res.json()).toEqual({ detail: 'this origin is not allowed (ALLOWED_ORIGINS)' });
    }
  });

  it('allowed origins get 204 with the CORS headers', async () => {
    const res = await preflight(gateway.url, '/generate', 'http://app.example');
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://app.example');
  });

  it('are logged once each at info, preflights and WebSocket handshakes alike', async () => {
    for (let i = 0; i < 3; i++) await preflight(gateway.url, '/graphql', 'http://other.example');
    for (let i = 0; i < 3; i++) expect(await openSocket(gateway.url, 'http://ws.example')).toBe(403);
    await new Promise((r) => setTimeout(r, 100));
    const log = gateway.log();
    expect(refusalLines(log, 'http://evil.example')).toHaveLength(1);
    expect(refusalLines(log, 'http://other.example')).toHaveLength(1);
    const [wsLine] = refusalLines(log, 'http://ws.example');
    expect(refusalLines(log, 'http://ws.example')).toHaveLength(1);
    expect(JSON.parse(wsLine!)).toMatchObject({ level: 30, refused: 'websocket' });
    expect(refusalLines(log, 'http://app.example')).toHaveLength(0);
  });

  it('do not include the gateway\'s own pages (GraphiQL posts with its own origin)', async () => {
    const res = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { origin: gateway.url, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ info { name } }' }),
    });
    expect(res.status).toBe(200);
    expect(refusalLines(gateway.log(), gateway.url)).toHaveLength(0);
  });
});

describe('the gateway\'s own origin', () => {
  let gateway: GatewayProcess;
  let port: string;
  beforeAll(async () => {
    gateway = await startGatewayProcess({ ALLOWED_ORIGINS: 'http://app.example' });
    port = new URL(gateway.url).port;
  });
  afterAll(() => gateway.stop());

  it('is a loopback origin equal to Host: GraphiQL opened on localhost or 127.0.0.x may open the WebSocket', async () => {
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `127.0.0.2:${port}`]) {
      expect(await openSocket(gateway.url, `http://${host}`, host), host).toBe('open');
    }
  });

  it('is never a name that resolves to the gateway (DNS rebinding): Host equal to Origin is not enough', async () => {
    const host = `rebound.example:${port}`;
    expect(await openSocket(gateway.url, `http://${host}`, host)).toBe(403);
    // node:http, since fetch sends its own Host whatever it is given.
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      request(`${gateway.url}/graphql`, { method: 'OPTIONS', headers: { origin: `http://${host}`, host, 'access-control-request-method': 'POST' } }, (answer) => {
        answer.resume();
        resolve(answer);
      }).on('error', reject).end();
    });
    expect(res.statusCode).toBe(403);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('is not a loopback origin on another port than Host', async () => {
    expect(await openSocket(gateway.url, 'http://127.0.0.1:1', `127.0.0.1:${port}`)).toBe(403);
  });
});
