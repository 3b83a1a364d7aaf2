// Clients' JSON Schemas are hostile input: a request may carry 128 tools with
// large schemas, patterns that take RE2 a long compile, schemas nested to the
// bound. Compiling them costs milliseconds each, so it happens in the schema
// worker: the event loop, and /healthz with it, does not wait. Judged against
// the same gateway idle in the same run, and against 100 ms.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FACTOR } from '../support/timing.ts';
import { alive, slowestHealthzDuring, startGatewayProcess, type GatewayProcess } from './gateway-process.ts';

const CHAT = 'mutation($i: ChatInput!) { chat(input: $i) { finishReason message { toolCalls { name validationErrors } } } }';

/** 128 tools of `properties` string properties each (some with a pattern of counted repeats); `salt` keeps them out of the cache. */
function heavyTools(salt: string, properties: number, patterns: number): unknown[] {
  return Array.from({ length: 128 }, (_, t) => ({
    name: `tool_${salt}_${t}`,
    parameters: {
      type: 'object',
      properties: Object.fromEntries(
        Array.from({ length: properties }, (_, p) => [`p${p}`, p < patterns ? { type: 'string', pattern: `^[a-z]{1,200}(x|y)*${salt}${t}_${p}$` } : { type: 'integer' }]),
      ),
      required: ['p0'],
    },
  }));
}

async function chat(url: string, input: object): Promise<{ status: number; body: string }> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: CHAT, variables: { i: input } }),
    signal: AbortSignal.timeout(60_000),
  });
  return { status: res.status, body: await res.text() };
}

describe('hostile JSON Schemas', () => {
  let gateway: GatewayProcess;
  beforeAll(async () => {
    gateway = await startGatewayProcess({ NODE_ENV: 'production' });
  });
  afterAll(() => gateway.stop());

  it('128 large tool schemas per request, several requests at once: compiled off the event loop, /healthz stays under 100 ms', async () => {
    const answers: { status: number; body: string }[] = [];
    const healthz = await slowestHealthzDuring(gateway, async () => {
      answers.push(...(await Promise.all(['a', 'b', 'c'].map((salt) =>
        chat(gateway.url, { modelId: 'simulator', maxTokens: 4, messages: [{ role: 'USER', content: `use tool_${salt}_0` }], tools: heavyTools(salt, 24, 2) })))));
    });
    for (const answer of answers) {
      expect(answer.status, answer.body.slice(0, 300)).toBe(200);
      expect(answer.body).toContain('"finishReason":"TOOL_CALLS"');
    }
    expect(alive(gateway)).toBe(true);
    console.info(`3 requests of 128 tools (${JSON.stringify(heavyTools('a', 24, 2)).length} bytes of schemas each): slowest /healthz ${healthz.slowest.toFixed(0)} ms (idle ${healthz.baseline.toFixed(0)} ms)`);
    // 100 ms, unless the machine itself is slow right now (the idle gateway's slowest answer, by the
    // tests' usual factor). Compiled on the event loop, these schemas held it for seconds.
    expect(healthz.slowest).toBeLessThan(Math.max(100, FACTOR * healthz.baseline));
  });

  it('a schema past the bounds is refused with why, before anything is compiled', async () => {
    let deep: unknown = { type: 'string' };
    for (let i = 0; i < 25; i++) deep = { type: 'object', properties: { a: deep } };
    const patterns = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`p${i}`, { type: 'string', pattern: `^x${i}$` }]));
    const refusals = await Promise.all([
      chat(gateway.url, { modelId: 'simulator', messages: [{ role: 'USER', content: 'x' }], tools: [{ name: 'deep', parameters: deep }] }),
      chat(gateway.url, { modelId: 'simulator', messages: [{ role: 'USER', content: 'x' }], tools: [{ name: 'many', parameters: { type: 'object', properties: patterns } }] }),
      chat(gateway.url, { modelId: 'simulator', messages: [{ role: 'USER', content: 'x' }], tools: [{ name: 'evil', parameters: { type: 'object', properties: { a: { type: 'string', pattern: '^(?=a)a$' } } } }] }),
    ]);
    expect(refusals.map((r) => r.body)).toEqual([
      expect.stringMatching(/"code":"BAD_USER_INPUT".*|nests deeper than 32 levels/),
      expect.stringContaining('more than 64 patterns'),
      expect.stringContaining('linear-time engine'),
    ]);
    expect(refusals[0]!.body).toContain('nests deeper than 32 levels');
  });
});
