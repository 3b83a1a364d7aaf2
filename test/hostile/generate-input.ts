// Generation inputs (GraphQL's GenerateInput, REST's /generate body) with at
// least one field the gateway must refuse. Each broken value is checked against
// an oracle of the documented rules (README, GenerateInput), per protocol, so a
// generator never hands out an input that could start a generation.
import fc from 'fast-check';

/** A JSON number written exactly so (1e400, -0, 1.0, 2^64): JSON.stringify cannot write these. */
export class Raw {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}
export type Json = null | boolean | number | string | Raw | Json[] | { [key: string]: Json };

/** JSON text, Raw numbers as written. */
export function toJson(value: Json): string {
  if (value instanceof Raw) return value.text;
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
  // Absent fields (undefined, as JSON.stringify drops them) are left out.
  if (value !== null && typeof value === 'object') return `{${Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`).join(',')}}`;
  return JSON.stringify(value);
}

/** The same value as a GraphQL input literal (keys that are no GraphQL name make it a syntax error: still refused). */
export function toLiteral(value: Json): string {
  if (value instanceof Raw) return value.text;
  if (Array.isArray(value)) return `[${value.map(toLiteral).join(', ')}]`;
  if (value !== null && typeof value === 'object') return `{${Object.entries(value).map(([k, v]) => `${k}: ${toLiteral(v)}`).join(', ')}}`;
  return JSON.stringify(value);
}

/** How the input travels: JSON variables, a literal in the document, or the REST body. */
export type Protocol = 'variables' | 'literal' | 'rest';
type Rule = 'modelId' | 'prompt' | 'maxNewTokens' | 'positiveInt' | 'truncate' | 'positive' | 'unit' | 'penalty' | 'stop' | 'seed' | 'boolean';

/** GraphQL name, REST name, rule. */
export const FIELDS: ReadonlyArray<readonly [string, string, Rule]> = [
  ['modelId', 'model_id', 'modelId'], ['prompt', 'prompt', 'prompt'], ['maxNewTokens', 'max_new_tokens', 'maxNewTokens'],
  ['temperature', 'temperature', 'positive'], ['topP', 'top_p', 'unit'], ['repetitionPenalty', 'repetition_penalty', 'positive'],
  ['topK', 'top_k', 'positiveInt'], ['stop', 'stop', 'stop'], ['seed', 'seed', 'seed'], ['doSample', 'do_sample', 'boolean'],
  ['truncate', 'truncate', 'truncate'], ['typicalP', 'typical_p', 'unit'], ['frequencyPenalty', 'frequency_penalty', 'penalty'],
  ['returnFullText', 'return_full_text', 'boolean'], ['watermark', 'watermark', 'boolean'],
];

const MAX_SEED = 2n ** 64n - 1n;
const seedDigits = (text: string) => /^(?:0|[1-9]\d*)$/.test(text) && BigInt(text) <= MAX_SEED;
const int32 = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31;
const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Whether the gateway may accept `value` (undefined: the field is absent) for a
 * field with this rule, erring towards yes: only what is surely refused is used.
 * Model "sim" has max_total_tokens 4096 and max_input_tokens 4095.
 */
export function mayAccept(rule: Rule, protocol: Protocol, value: Json | undefined): boolean {
  const v: unknown = value === undefined ? undefined : JSON.parse(toJson(value));
  const integer = protocol === 'rest' ? Number.isSafeInteger : int32;
  if (rule === 'modelId') return v === 'sim';
  if (rule === 'prompt') return typeof v === 'string' && v.length > 0;
  if (v === undefined || v === null) return true;
  switch (rule) {
    case 'maxNewTokens': return integer(v) && (v as number) >= 1 && (v as number) <= 4096;
    case 'positiveInt': return integer(v) && (v as number) >= 1;
    case 'truncate': return integer(v) && (v as number) >= 1 && (v as number) <= 4095;
    case 'positive': return finite(v) && v > 0;
    case 'unit': return finite(v) && v > 0 && v < 1;
    case 'penalty': return finite(v) && v >= -2 && v <= 2;
    case 'boolean': return typeof v === 'boolean';
    case 'stop': {
      const list = Array.isArray(v) ? v : protocol === 'rest' ? undefined : [v];
      return list !== undefined && list.length <= 4 && list.every((s) => typeof s === 'string' && s.length >= 1 && s.length <= 1024);
    }
    case 'seed': {
      if (typeof v === 'string') return seedDigits(v);
      if (typeof v !== 'number') return false;
      // A JSON variable is read as a number (exact up to 2^53); a literal and a REST body by their digits.
      return protocol === 'variables' ? Number.isSafeInteger(v) && v >= 0 : seedDigits(toJson(value!));
    }
  }
}

export const nanLike = fc.constantFrom('NaN', 'Infinity', '-Infinity', '1e999', '-0', '0x1F', '1_000', '１２', '٣', '', ' 1', '1 ', '+1', '-1', '1.0', '1e3',
  '5', '00', '01', 'null', 'true', '[]', '{}', '18446744073709551616', '18446744073709551615 ', '99999999999999999999999');
const RAW = ['1e400', '-1e400', '-0', '1.0', '1e3', '1E2', '5E-1', '0.0000001', '18446744073709551616', '18446744073709551615',
  '123456789012345678901234567890', '-9223372036854775809', '9007199254740993'].map((t) => new Raw(t));

/** Junk of every JSON type: NaN-like strings, huge, tiny, negative and unrepresentable numbers, nested arrays and objects. */
export const junk: fc.Arbitrary<Json> = fc.oneof(
  nanLike, fc.string({ maxLength: 40 }), fc.boolean(), fc.constant(null),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map((n) => (n % 2n === 0n ? n.toString() : new Raw(n.toString()))),
  fc.constantFrom(0, -1, 0.5, 1, 2, -2.5, 4096, 4097, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, 2 ** 53 + 2, 2 ** 64, 1e20, 1e308, -1e308, 1e-300),
  fc.constantFrom(...RAW),
  fc.array(fc.oneof(fc.string({ maxLength: 4 }), fc.constant(''), fc.constant('x'.repeat(1025)), fc.integer(), fc.constant(null)), { maxLength: 8 }),
  fc.jsonValue({ maxDepth: 6 }).filter((v) => typeof v === 'object' && v !== null) as fc.Arbitrary<Json>,
);

/** A value the field surely refuses (or, for required fields, its absence). */
const brokenValue = (rule: Rule, protocol: Protocol): fc.Arbitrary<Json | undefined> => {
  const refused = junk.filter((v) => !mayAccept(rule, protocol, v));
  if (rule === 'modelId' || rule === 'prompt') return fc.oneof(refused, fc.constant(undefined), fc.constant(''));
  if (rule === 'maxNewTokens' || rule === 'truncate') return fc.oneof(refused, fc.integer({ min: 4097, max: 2 ** 31 - 1 }));
  return refused;
};

const VALID: Record<string, Json> = { temperature: 0.5, topP: 0.9, repetitionPenalty: 1.1, topK: 10, stop: ['\n'], seed: '42', doSample: true,
  truncate: 10, typicalP: 0.5, frequencyPenalty: 0.1, returnFullText: false, watermark: false };

const setOwn = (object: Record<string, Json>, key: string, value: Json | undefined) => {
  if (value === undefined) delete object[key];
  else Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
};

export interface BrokenInput {
  /** The fields broken on purpose (and how). */
  broken: string[];
  input: Record<string, Json>;
}

/** A generation input for model "sim", otherwise fine, with one to three fields broken; REST names for 'rest'. */
export function brokenInput(protocol: Protocol): fc.Arbitrary<BrokenInput> {
  const name = (graphql: string) => (protocol === 'rest' ? FIELDS.find(([g]) => g === graphql)![1] : graphql);
  const fieldBreaker = fc.constantFrom(...FIELDS).chain(([graphql, , rule]) =>
    brokenValue(rule, protocol).map((value) => [name(graphql), value] as const));
  // An unknown field refuses the input in GraphQL; REST ignores unknown fields, so there they are only noise.
  const unknownField = fc.tuple(fc.oneof(fc.constantFrom('__proto__', 'constructor', 'modelID', 'model_id', 'maxNewTokens', 'max_new_tokens', ''), fc.string({ maxLength: 12 })), junk)
    .filter(([key]) => !FIELDS.some((f) => f[0] === key || (protocol === 'rest' && f[1] === key)));
  const breakers = fc.array(protocol === 'rest' ? fieldBreaker : fc.oneof(fieldBreaker, unknownField), { minLength: 1, maxLength: 3 });
  const noise = protocol === 'rest' ? fc.array(unknownField, { maxLength: 2 }) : fc.constant([]);
  return fc.tuple(fc.subarray(Object.keys(VALID)), breakers, noise).map(([optional, broken, extra]) => {
    const input: Record<string, Json> = { [name('modelId')]: 'sim', [name('prompt')]: 'Hi', [name('maxNewTokens')]: 2 };
    for (const key of optional) input[name(key)] = VALID[key]!;
    for (const [key, value] of [...extra, ...broken]) setOwn(input, key, value);
    return { broken: broken.map(([key, value]) => `${key}=${value === undefined ? '(absent)' : toJson(value).slice(0, 60)}`), input };
  });
}

/** A prompt longer than max_input_tokens can hold whatever the tokenizer (at least 1 + bytes/32 tokens). */
export const HUGE_PROMPT = 'x'.repeat(140_000);
