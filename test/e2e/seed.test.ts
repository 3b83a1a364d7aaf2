// A returned seed replays its generation: TGI seeds are unsigned 64-bit, so
// they travel as exact digits from the client to TGI and back, over GraphQL
// (Seed scalar: Int or String in, String out) and REST (JSON number or string).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GenerateDocument,
  GenerateStreamDocument,
  GenerateWithIntSeedLiteralDocument,
  GenerateWithStringSeedLiteralDocument,
  TypedDocumentString,
} from '../gql/graphql.ts';
import { collectWs, post, wsClient } from './clients.ts';
import { startStack, type Stack } from './harness.ts';

/** Above 2^53: a JS number would round it to 14875267490767656960. */
const BIG = '14875267490767656219';
const MAX = '18446744073709551615';
const PROMPT = 'Why is the sky blue?';

const input = (over: Record<string, unknown> = {}) => ({ input: { modelId: 'sim', prompt: PROMPT, maxNewTokens: 6, ...over } });

describe('seeds', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.stop());
  /** What the simulator read from the last request body, digit for digit. */
  const seedTgiGot = () => stack.simulators[0]!.stats().lastGenerationSeed;
  const generated = () => stack.simulators[0]!.stats().requestsByRoute['POST /generate'] ?? 0;
  const rest = (body: string) => fetch(`${stack.url}/generate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  describe('over GraphQL', () => {
    it('takes a seed above 2^53 as a String variable, sends TGI its exact digits and returns them', async () => {
      const { data, errors } = await post(stack.url, GenerateDocument, input({ seed: BIG }));
      expect(errors).toBeUndefined();
      expect(data!.generate.details.seed).toBe(BIG);
      expect(seedTgiGot()).toBe(BIG);
    });

    it('takes it as an Int literal and as a String literal, with the same result', async () => {
      const byVariable = await post(stack.url, GenerateDocument, input({ seed: BIG }));
      for (const document of [GenerateWithIntSeedLiteralDocument, GenerateWithStringSeedLiteralDocument]) {
        const { data, errors } = await post(stack.url, document, { modelId: 'sim', prompt: PROMPT });
        expect(errors).toBeUndefined();
        expect(seedTgiGot()).toBe(BIG);
        expect(data!.generate.details.seed).toBe(BIG);
        expect(data!.generate.generatedText).toBe(byVariable.data!.generate.generatedText);
      }
    });

    it('takes Int variables, 0 and the largest u64', async () => {
      for (const [seed, digits] of [[42, '42'], [0, '0'], ['0', '0'], [MAX, MAX]] as const) {
        const { data, errors } = await post(stack.url, GenerateDocument, input({ seed }));
        expect(errors).toBeUndefined();
        expect(data!.generate.details.seed).toBe(digits);
        expect(seedTgiGot()).toBe(digits);
      }
    });

    it('replays a generation from the seed it returned, unary and streamed', async () => {
      const first = await post(stack.url, GenerateDocument, input({ maxNewTokens: 12 }));
      const seed = first.data!.generate.details.seed;
      expect(seed).toMatch(/^\d+$/); // TGI picks a random u64 when sampling without a seed
      const again = await post(stack.url, GenerateDocument, input({ maxNewTokens: 12, seed }));
      expect(again.data!.generate).toEqual(first.data!.generate);

      const client = wsClient(stack.wsUrl);
      const payloads = await collectWs(client, GenerateStreamDocument, input({ maxNewTokens: 12, seed }));
      await client.dispose();
      const last = payloads.at(-1)!.data!.generateStream;
      expect(last.generatedText).toBe(first.data!.generate.generatedText);
      expect(last.details!.seed).toBe(seed);
    });

    it.each([
      ['2^64', '18446744073709551616'],
      ['a negative string', '-1'],
      ['a plus sign', '+1'],
      ['spaces', ' 1'],
      ['an exponent', '1e3'],
      ['a fraction', '1.5'],
      ['hexadecimal', '0x10'],
      ['a leading zero', '007'],
      ['an empty string', ''],
      ['a negative Int', -1],
      ['a Float', 1.5],
      ['a JSON number above 2^53, which has lost its digits already', 2 ** 53],
      ['a Boolean', true],
    ])('refuses %s with BAD_USER_INPUT naming seed, without calling TGI', async (_what, seed) => {
      const before = generated();
      const { errors } = await post(stack.url, GenerateDocument, input({ seed }));
      expect(errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'seed' });
      expect(errors![0]!.message).toContain('seed');
      expect(generated()).toBe(before);
    });

    it.each([
      ['an Int literal of 2^64', '18446744073709551616'],
      ['a negative Int literal', '-1'],
      ['a Float literal', '1.5'],
      ['a String literal with a sign', '"-1"'],
      ['an enum-like literal', 'RANDOM'],
    ])('refuses %s with BAD_USER_INPUT naming seed', async (_what, literal) => {
      const document = new TypedDocumentString<unknown, Record<string, never>>(
        `mutation { generate(input: { modelId: "sim", prompt: "x", seed: ${literal} }) { generatedText } }`,
      );
      const { errors } = await post(stack.url, document, {});
      expect(errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'seed' });
    });
  });

  describe('over REST', () => {
    it.each([
      ['a JSON number', BIG],
      ['a JSON string', `"${BIG}"`],
    ])('reads a seed above 2^53 given as %s exactly, and generates what GraphQL does', async (_what, seed) => {
      const res = await rest(`{"model_id":"sim","prompt":${JSON.stringify(PROMPT)},"max_new_tokens":6,"seed":${seed}}`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { generated_text: string };
      expect(seedTgiGot()).toBe(BIG);
      const graphql = await post(stack.url, GenerateDocument, input({ seed: BIG }));
      expect(body.generated_text).toBe(graphql.data!.generate.generatedText);
    });

    it.each([
      ['2^64', '18446744073709551616'],
      ['a negative number', '-1'],
      ['a fraction', '1.5'],
      ['an exponent', '1e3'],
      ['a negative string', '"-1"'],
      ['a string that is no number', '"abc"'],
      ['a Boolean', 'true'],
    ])('refuses %s with 422 naming seed, without calling TGI', async (_what, seed) => {
      const before = generated();
      const res = await rest(`{"model_id":"sim","prompt":"x","seed":${seed}}`);
      expect(res.status).toBe(422);
      expect(((await res.json()) as { detail: string }).detail).toMatch(/^seed /);
      expect(generated()).toBe(before);
    });
  });
});
