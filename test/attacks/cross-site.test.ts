// Requests a browser sends cross-site without a CORS preflight (form posts,
// EventSource, plain GETs) are refused on /graphql before anything runs;
// clients that can set a header or a JSON content type are unaffected.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alive, slowestHealthzDuring, startGatewayBeside } from './gateway-process.ts';

const MUTATION = 'mutation { generate(input: {modelId: "sim", prompt: "Hi", maxNewTokens: 2}) { generatedText } }';
const SUBSCRIPTION = 'subscription { generateStream(input: {modelId: "sim", prompt: "Hi", maxNewTokens: 2}) { index } }';
const EVIL = { origin: 'http://evil.example' };

describe('cross-site requests on /graphql', () => {
  let gateway: Awaited<ReturnType<typeof startGatewayBeside>>;
  const generations = () => gateway.simulator.stats().requestsByRoute;
  beforeAll(async () => {
    gateway = await startGatewayBeside();
  });
  afterAll(() => gateway.stop());

  const refusals: Array<[string, () => Promise<Response>]> = [
    ['a form post', () => fetch(`${gateway.url}/graphql`, { method: 'POST', headers: { ...EVIL, 'content-type': 'application/x-www-form-urlencoded' }, body: `query=${encodeURIComponent(MUTATION)}` })],
    ['a text/plain post of JSON', () => fetch(`${gateway.url}/graphql`, { method: 'POST', headers: { ...EVIL, 'content-type': 'text/plain;charset=UTF-8' }, body: JSON.stringify({ query: MUTATION }) })],
    ['a multipart post', () => {
      const form = new FormData();
      form.set('operations', JSON.stringify({ query: MUTATION }));
      return fetch(`${gateway.url}/graphql`, { method: 'POST', headers: EVIL, body: form });
    }],
    ['an EventSource subscription', () => fetch(`${gateway.url}/graphql?query=${encodeURIComponent(SUBSCRIPTION)}`, { headers: { ...EVIL, accept: 'text/event-stream' } })],
    ['a plain GET query', () => fetch(`${gateway.url}/graphql?query=${encodeURIComponent('{ info { name } }')}`, { headers: { accept: 'application/json' } })],
  ];

  for (const [what, send] of refusals) {
    it(`refuses ${what} with 403 and BAD_REQUEST, before any upstream call`, async () => {
      const before = { ...generations() };
      const res = await send();
      expect(res.status).toBe(403);
      const { errors } = (await res.json()) as { errors: { message: string; extensions: { code: string; requestId: string } }[] };
      expect(errors[0]!.extensions).toMatchObject({ code: 'BAD_REQUEST', requestId: res.headers.get('x-request-id') });
      expect(errors[0]!.message).toMatch(/x-graphql-csrf/);
      expect(generations()).toEqual(before);
    });
  }

  it('runs what carries the x-graphql-csrf header or a JSON content type', async () => {
    const get = await fetch(`${gateway.url}/graphql?query=${encodeURIComponent('{ info { name } }')}`, { headers: { 'x-graphql-csrf': '1' } });
    expect(await get.json()).toEqual({ data: { info: { name: 'tgi-graphql-gateway' } } });
    const post = await fetch(`${gateway.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: MUTATION }) });
    expect(((await post.json()) as { data: unknown }).data).toMatchObject({ generate: { generatedText: expect.any(String) } });
  });

  it('still serves GraphiQL to a browser', async () => {
    const res = await fetch(`${gateway.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('GraphiQL');
  });

  it('stays up and flat under a storm of them', async () => {
    const rssAtStart = await gateway.rssAfterGc();
    const before = generations()['POST /generate'] ?? 0;
    const healthz = await slowestHealthzDuring(gateway, async () => {
      for (let i = 0; i < 40; i++) await Promise.all(refusals.map(async ([, send]) => expect((await send()).status).toBe(403)));
    });
    expect(alive(gateway)).toBe(true);
    expect(healthz.slowest, `slowest /healthz (idle: ${healthz.baseline.toFixed(0)} ms)`).toBeLessThan(healthz.allowed);
    expect(await gateway.rssAfterGc()).toBeLessThan(rssAtStart * 1.2);
    expect(generations()['POST /generate'] ?? 0).toBe(before);
  });
});
