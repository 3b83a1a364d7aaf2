// Clients' JSON Schemas (a tool's parameters, a JSON_SCHEMA answer), compiled
// once and checked against what the model wrote. This runs in the schema
// worker (schema-worker.ts), never on the event loop: compiling costs
// milliseconds per schema. A schema is client input, so it is held to bounds
// before ajv sees it: its size, depth and patterns; patterns run on a
// linear-time engine (RE2) instead of JavaScript's backtracking one, and
// `uniqueItems` on a linear check of our own instead of ajv's pairwise one,
// so that the time a check takes is linear in the text. Compiled checks are
// kept in a bounded cache, keyed by the schema's text; ajv's own registry
// forgets each schema once compiled.
import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { LRUCache } from 'lru-cache';
import { RE2JS } from 're2js';
import type { JsonObject, JsonValue } from '../upstream/types.ts';

/** Nesting of objects and arrays in one schema. */
export const MAX_SCHEMA_DEPTH = 32;
/** Values (keys, strings, numbers, …) in one schema. */
export const MAX_SCHEMA_NODES = 10_000;
/** Patterns (and patternProperties keys) in one schema: each costs RE2 a compile. */
export const MAX_PATTERNS = 64;
/** Characters in one `pattern` (or `patternProperties` key). */
export const MAX_PATTERN_LENGTH = 512;
/** Where a check stops listing what broke the schema. */
const MAX_ERRORS = 10;
const CACHE_ENTRIES = 256;

/** What a value breaks of a schema: one line per place, `/path message`; empty when it holds. */
export type SchemaCheck = (value: JsonValue) => string[];

/** A schema the gateway will not take, and why (said to the client); `index` says which of a request's schemas. */
export class SchemaRefused extends Error {
  readonly index: number;

  constructor(message: string, index = 0) {
    super(message);
    this.index = index;
  }
}

/** Patterns on RE2: linear time in the text, whatever the pattern; what RE2 cannot compile is refused. */
const linearPatterns = Object.assign(
  (pattern: string): { test(text: string): boolean; toString(): string } => {
    if (pattern.length > MAX_PATTERN_LENGTH) throw new SchemaRefused(`a pattern is longer than ${MAX_PATTERN_LENGTH} characters`);
    let re: RE2JS;
    try {
      re = RE2JS.compile(pattern);
    } catch (error) {
      throw new SchemaRefused(`the pattern ${JSON.stringify(pattern.slice(0, 80))} is not supported (${(error as Error).message}); patterns run on a linear-time engine without lookaround or backreferences`);
    }
    // ajv keeps one compiled pattern per toString(): it must name the pattern, as a RegExp's does.
    return { test: (text) => re.matcher(text).find(), toString: () => `/${pattern}/` };
  },
  { code: 'linearPatterns' },
);

const OPTIONS: Options = {
  allErrors: true,
  // Formats are annotations in 2020-12; SDKs send them freely.
  validateFormats: false,
  strict: false,
  // Smaller generated code compiles faster; loops instead of one check per required key or enum value.
  code: { regExp: linearPatterns, optimize: false },
  loopRequired: 8,
  loopEnum: 8,
  // Remote $refs are never fetched: ajv refuses what it cannot resolve.
};

/** The JSON text of a value with its keys sorted: equal values, equal texts. */
function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
}

/** ajv compares every pair of items (quadratic in the array); this hashes each item once. */
function withLinearUniqueItems<T extends Ajv>(ajv: T): T {
  ajv.removeKeyword('uniqueItems');
  ajv.addKeyword({
    keyword: 'uniqueItems',
    type: 'array',
    schemaType: 'boolean',
    errors: true,
    validate: function unique(this: unknown, wanted: boolean, data: unknown[]) {
      if (!wanted) return true;
      const seen = new Set<string>();
      for (const item of data) {
        const text = canonical(item);
        if (seen.has(text)) {
          (unique as unknown as { errors: object[] }).errors = [{ keyword: 'uniqueItems', message: 'must NOT have duplicate items', params: {} }];
          return false;
        }
        seen.add(text);
      }
      return true;
    },
  });
  return ajv;
}

/** The drafts a schema may name in `$schema`; absent, 2020-12. */
const DRAFTS = {
  '2020-12': withLinearUniqueItems(new Ajv2020(OPTIONS)),
  '2019-09': withLinearUniqueItems(new Ajv2019(OPTIONS)),
  '07': withLinearUniqueItems(new Ajv(OPTIONS)),
} as const;

function draftOf(schema: JsonObject): keyof typeof DRAFTS {
  const named = schema.$schema;
  if (named === undefined) return '2020-12';
  if (typeof named !== 'string') throw new SchemaRefused('$schema must be a string');
  if (/json-schema\.org\/draft\/2020-12\/schema/.test(named)) return '2020-12';
  if (/json-schema\.org\/draft\/2019-09\/schema/.test(named)) return '2019-09';
  if (/json-schema\.org\/draft-0[67]\/schema/.test(named)) return '07';
  throw new SchemaRefused(`$schema names a draft that is not supported (2020-12, 2019-09 and draft-07 are): ${named.slice(0, 100)}`);
}

/** Refuses a schema deeper or larger than the bounds, in one pass, before anything else reads it. */
export function checkBounds(schema: unknown): void {
  let nodes = 0;
  let patterns = 0;
  const pattern = () => {
    if (++patterns > MAX_PATTERNS) throw new SchemaRefused(`it holds more than ${MAX_PATTERNS} patterns`);
  };
  const visit = (value: unknown, depth: number): void => {
    if (++nodes > MAX_SCHEMA_NODES) throw new SchemaRefused(`it holds more than ${MAX_SCHEMA_NODES} values`);
    if (value === null || typeof value !== 'object') return;
    if (depth >= MAX_SCHEMA_DEPTH) throw new SchemaRefused(`it nests deeper than ${MAX_SCHEMA_DEPTH} levels`);
    if (Array.isArray(value)) for (const item of value) visit(item, depth + 1);
    else {
      for (const [key, item] of Object.entries(value)) {
        nodes++;
        // Counted wherever they stand (a property may be named "pattern"): an over-count only.
        if (key === 'pattern') pattern();
        if (key === 'patternProperties' && item !== null && typeof item === 'object') Object.keys(item).forEach(pattern);
        visit(item, depth + 1);
      }
    }
  };
  visit(schema, 0);
}

const cache = new LRUCache<string, SchemaCheck>({ max: CACHE_ENTRIES });

const placeOf = (e: ErrorObject): string => (e.instancePath === '' ? '/' : e.instancePath);

function describe(validate: ValidateFunction): SchemaCheck {
  return (value) => {
    if (validate(value)) return [];
    const errors = validate.errors ?? [];
    const lines = errors.slice(0, MAX_ERRORS).map((e) => `${placeOf(e)} ${e.message ?? 'is invalid'}`);
    if (errors.length > MAX_ERRORS) lines.push(`… and ${errors.length - MAX_ERRORS} more`);
    return lines;
  };
}

/** Compiles a client's schema (or takes it from the cache); a schema that does not compile is refused with why. */
export function compileSchema(schema: JsonObject): SchemaCheck {
  checkBounds(schema);
  const key = JSON.stringify(schema);
  const cached = cache.get(key);
  if (cached) return cached;
  const ajv = DRAFTS[draftOf(schema)];
  let check: SchemaCheck;
  try {
    check = describe(ajv.compile(schema));
  } catch (error) {
    if (error instanceof SchemaRefused) throw error;
    throw new SchemaRefused(`it does not compile as JSON Schema: ${(error as Error).message.slice(0, 300)}`);
  } finally {
    // ajv keeps every schema it compiled (and its $id): the cache above is the only keeper.
    ajv.removeSchema(schema);
  }
  cache.set(key, check);
  return check;
}

/** Compiled schemas held now (for tests of the bound). */
export const compiledSchemas = (): number => cache.size;
