// Hostile inputs, GraphQL values: generation inputs with fields of the wrong
// type, out of range, huge, NaN-like or unknown, as JSON variables and as
// literals; variables that are not what the operation declares. None may start
// a generation, and none may earn more than a client error.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { brokenInput, HUGE_PROMPT, junk, mayAccept, Raw, toJson, toLiteral, type BrokenInput, type Json } from './generate-input.ts';
import { checkGraphQL, expectSoundRun, postGraphQL, startHostile, type Category, type Hostile } from './hostile.ts';

const GENERATE = 'mutation G($input: GenerateInput!) { generate(input: $input) { generatedText details { seed } } }';
const STREAM = 'subscription S($input: GenerateInput!) { generateStream(input: $input) { index token { text } } }';
const MODEL = 'query M($id: ID!) { model(id: $id) { id name } }';

const asVariables = (name: string, document: string, runs: number, examples: BrokenInput[] = []): Category<BrokenInput> => ({
  name,
  runs,
  examples,
  input: brokenInput('variables'),
  probe: async (target, { input }) => checkGraphQL(await postGraphQL(target, toJson({ query: document, variables: { input } })), target, 'json'),
});

/** Numbers no Float can represent, written in the document: a request error by the GraphQL spec, not Infinity. */
const UNREPRESENTABLE: BrokenInput[] = ['temperature', 'repetitionPenalty', 'topP', 'typicalP', 'frequencyPenalty'].flatMap((field) =>
  ['1e400', '-1e400', '1e309'].map((text) => ({ broken: [`${field}=${text}`], input: { modelId: 'sim', prompt: 'Hi', maxNewTokens: 2, [field]: new Raw(text) } })));

const SEEDS: Json[] = ['-1', '+1', '1.5', '1e3', ' 1', '1 ', '01', '00', '0x10', '-0', '18446744073709551616', '99999999999999999999999', '', 'NaN', '\u0661',
  -1, 1.5, 2 ** 53 + 2, 1e20, new Raw('18446744073709551616'), new Raw('1e400'), new Raw('-1e400'), true, [], {}, [42]];
/** Seeds that are no u64 in decimal digits, as variables and as literals (where 2^53 + 2 is still exact, and fine). */
const SEED_INPUTS = (protocol: 'variables' | 'literal') => SEEDS.filter((seed) => !mayAccept('seed', protocol, seed))
  .map((seed): BrokenInput => ({ broken: [`seed=${toJson(seed)}`], input: { modelId: 'sim', prompt: 'Hi', maxNewTokens: 2, seed } }));

const asLiteral = (name: string, runs: number, examples: BrokenInput[] = []): Category<BrokenInput> => ({
  name,
  runs,
  input: brokenInput('literal'),
  examples,
  probe: async (target, { input }) => {
    const query = `mutation { generate(input: ${toLiteral(input)}) { generatedText } }`;
    return checkGraphQL(await postGraphQL(target, JSON.stringify({ query })), target, 'json');
  },
});

/** Variables that cannot be coerced at all: a request error, so a 4xx even to graphql-response+json. */
const notTheDeclaredType: Category<{ query: string; variables: Json }> = {
  name: 'undeclared variable shapes',
  runs: 250,
  input: fc.oneof(
    // $input: GenerateInput! given something that is no object, nothing, or null.
    fc.oneof(junk.filter((v) => v === null || typeof v !== 'object' || Array.isArray(v)), fc.constant<Json>([{ modelId: 'sim', prompt: 'Hi' }]))
      .map((v) => ({ query: GENERATE, variables: { input: v } })),
    fc.dictionary(fc.string({ maxLength: 8 }).filter((k) => k !== 'input'), junk, { maxKeys: 4 }).map((v) => ({ query: GENERATE, variables: v })),
    // $id: ID! given anything but a string or an integer.
    junk.filter((v) => typeof JSON.parse(toJson(v)) !== 'string' && !Number.isInteger(JSON.parse(toJson(v)))).map((v) => ({ query: MODEL, variables: { id: v } })),
  ),
  probe: async (target, body) => checkGraphQL(await postGraphQL(target, toJson(body), 'application/graphql-response+json'), target, 'graphql-response'),
};

const hugePrompt: Category<BrokenInput> = {
  name: 'prompts past max_input_tokens',
  runs: 15,
  // Without truncate, which would make it fit.
  input: brokenInput('variables').map(({ input: { truncate: _, ...input } }) => ({ broken: ['prompt=140 KB'], input: { ...input, modelId: 'sim', prompt: HUGE_PROMPT } })),
  probe: async (target, { input }) => checkGraphQL(await postGraphQL(target, toJson({ query: GENERATE, variables: { input } })), target, 'json'),
};

const CATEGORIES = [
  asVariables('generate variables', GENERATE, 450),
  asVariables('generateStream variables', STREAM, 150),
  asLiteral('generate literals', 350),
  asLiteral('unrepresentable Float literals', 0, UNREPRESENTABLE),
  notTheDeclaredType,
  hugePrompt,
  asVariables('seed variables', GENERATE, 0, SEED_INPUTS('variables')),
  asLiteral('seed literals', 0, SEED_INPUTS('literal')),
] as const;

describe('hostile GraphQL values (NODE_ENV=production)', () => {
  let hostile: Hostile;
  beforeAll(async () => {
    hostile = await startHostile('graphql-variables');
    await hostile.warmUp(CATEGORIES);
  }, 180_000);
  afterAll(() => hostile.stop());

  it('refuses generate inputs with broken fields in JSON variables: errors, no data, no generation', () => hostile.check(CATEGORIES[0]), 60_000);
  it('refuses the same for generateStream over HTTP', () => hostile.check(CATEGORIES[1]), 60_000);
  it('refuses broken generate inputs written as literals', () => hostile.check(CATEGORIES[2]), 60_000);
  it('refuses Float literals no double can hold (1e400 is no Infinity)', () => hostile.check(CATEGORIES[3]), 60_000);
  it('answers variables that do not fit the declared type with a 4xx to graphql-response+json', () => hostile.check(CATEGORIES[4]), 60_000);
  it('refuses prompts that cannot fit the model before calling it', () => hostile.check(CATEGORIES[5]), 60_000);
  it('refuses seeds out of range or written otherwise than in decimal digits, as variables', () => hostile.check(CATEGORIES[6]), 60_000);
  it('refuses the same seeds as literals', () => hostile.check(CATEGORIES[7]), 60_000);

  it('stays up, answers /healthz about as fast as when idle, never reaches TGI, and keeps its RSS within 20 %', async () => {
    expectSoundRun(await hostile.finish());
  });
});
