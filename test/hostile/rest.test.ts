// Hostile inputs, REST: POST /generate bodies with every field of the wrong
// type, out of range, missing, null where required, huge; seeds as floats,
// negatives, signed or padded strings; bodies that are no JSON object or come
// under another content type; bad paths under /models/{id}/health. Each is a
// 4xx with a { "detail" } body and reaches no model server.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { brokenInput, HUGE_PROMPT, mayAccept, Raw, toJson, type BrokenInput, type Json } from './generate-input.ts';
import { checkRest, expectSoundRun, request, startHostile, type Category, type Hostile, type Target } from './hostile.ts';
import { pct, rawRequest } from './wire.ts';

const post = (target: Target, body: string | Uint8Array, type = 'application/json') =>
  request(`${target.url}/generate`, { method: 'POST', headers: type === '' ? {} : { 'content-type': type }, body });

const bodies: Category<BrokenInput> = {
  name: 'generate bodies with broken fields',
  runs: 600,
  input: brokenInput('rest'),
  probe: async (target, { input }) => checkRest(await post(target, toJson(input)), target),
};

const SEEDS: Json[] = [
  ...['-1', '+1', '1.5', '1e3', ' 1', '1 ', '01', '00', '0x10', '-0', '18446744073709551616', '99999999999999999999999', '', 'NaN', '\u0661', '1_0', '+0'],
  ...['-1', '1.5', '1e3', '-0', '1.0', '18446744073709551616', '1E2', '0.0', '1e400', '-1e400', '340282366920938463463374607431768211456'].map((t) => new Raw(t)),
  true, [], {}, [42], { seed: 42 },
];
const seeds: Category<BrokenInput> = {
  name: 'seeds out of range or form',
  runs: 0,
  input: fc.constant({ broken: [], input: {} }),
  examples: SEEDS.filter((seed) => !mayAccept('seed', 'rest', seed)).map((seed) => ({ broken: [`seed=${toJson(seed)}`], input: { model_id: 'sim', prompt: 'Hi', max_new_tokens: 2, seed } })),
  probe: async (target, { input }) => checkRest(await post(target, toJson(input)), target),
};

const VALID_BODY = JSON.stringify({ model_id: 'sim', prompt: 'Hi', max_new_tokens: 2 });
const notAnObject: Category<[string | Buffer, string]> = {
  name: 'bodies that are no JSON object',
  runs: 250,
  examples: ['text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'text/json', 'application/jsonx', '']
    .map((type): [string, string] => [VALID_BODY, type]),
  input: fc.tuple(fc.oneof(
    fc.jsonValue({ maxDepth: 3 }).filter((v) => typeof v !== 'object' || v === null || Array.isArray(v)).map((v) => JSON.stringify(v)),
    fc.nat(VALID_BODY.length - 1).map((n) => VALID_BODY.slice(0, n)),
    fc.string({ unit: 'binary', maxLength: 100 }).filter((s) => { try { return typeof JSON.parse(s) !== 'object'; } catch { return true; } }),
    fc.constantFrom(Buffer.from([0xff, 0xfe]), Buffer.from('{"model_id":"sim","prompt":"\xed\xa0\x80"', 'latin1'), `[${VALID_BODY}]`, `${'['.repeat(300_000)}${']'.repeat(300_000)}`),
  ), fc.constantFrom('application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON')),
  probe: async (target, [body, type]) => checkRest(await post(target, body, type), target),
};

const hugePrompts: Category<BrokenInput> = {
  name: 'prompts past max_input_tokens',
  runs: 15,
  // Without truncate, which would make it fit.
  input: brokenInput('rest').map(({ input: { truncate: _, ...input } }) => ({ broken: ['prompt=140 KB'], input: { ...input, model_id: 'sim', prompt: HUGE_PROMPT } })),
  probe: async (target, { input }) => checkRest(await post(target, toJson(input)), target),
};

const decodes = (s: string) => { try { return decodeURIComponent(s); } catch { return s; } };
const healthPaths: Category<string> = {
  name: 'bad paths under /models/{id}/health',
  runs: 300,
  examples: ['/models/%/health', '/models/%zz/health', '/models/%ED%A0%80/health', '/models/%FF/health', '/models/%00/health', '/models/SIM/health', '/models/sim%20/health',
    '/models/sim%2Fx/health', '/models/../health', '/models/sim/../sim/health', `/models/${'a'.repeat(8000)}/health`, `/models/${'a'.repeat(20_000)}/health`, '/models/__proto__/health',
    '/models/constructor/health', '/models/simulator/health', '/models/sim;/health', '/models/sim/health%00'],
  input: fc.oneof(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }).map(pct), fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 40 }).filter((s) => !/[\s/?#]/.test(s)))
    .filter((id) => decodes(id) !== 'sim').map((id) => `/models/${id}/health`),
  probe: async (target, path) => (await rawRequest(target.port, Buffer.from(`GET ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n`, 'latin1')))
    .flatMap((a) => checkRest(a, target)),
};

const CATEGORIES = [bodies, seeds, notAnObject, hugePrompts, healthPaths] as const;

describe('hostile REST requests (NODE_ENV=production)', () => {
  let hostile: Hostile;
  beforeAll(async () => {
    hostile = await startHostile('rest');
    await hostile.warmUp(CATEGORIES);
  }, 180_000);
  afterAll(() => hostile.stop());

  it('refuses /generate bodies with fields of the wrong type, out of range, missing or null where required', () => hostile.check(CATEGORIES[0]), 60_000);
  it('refuses seeds that are no u64 written in decimal digits', () => hostile.check(CATEGORIES[1]), 60_000);
  it('refuses bodies that are no JSON object, or come under another content type', () => hostile.check(CATEGORIES[2]), 60_000);
  it('refuses prompts that cannot fit the model before calling it', () => hostile.check(CATEGORIES[3]), 60_000);
  it('answers bad paths under /models/{id}/health with a client error', () => hostile.check(CATEGORIES[4]), 60_000);

  it('stays up, answers /healthz about as fast as when idle, never reaches TGI, and keeps its RSS within 20 %', async () => {
    expectSoundRun(await hostile.finish());
  });
});
