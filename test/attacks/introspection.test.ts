// Introspection as an attacker uses it: one small document that makes the
// gateway print its whole schema many times over (aliases of __schema, the
// ofType nest), and aliases of __typename, which cost a response key each.
// All of it is held to the depth, alias and cost limits; only GraphiQL's
// standard introspection query is let past them, and it is answered from a cache.
import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alive, startGatewayBeside } from './gateway-process.ts';

/** The whole schema fifteen times, within MAX_DOCUMENT_ALIASES: about 1.3 KB of document. */
const SCHEMA_BOMB = `query { ${Array.from({ length: 15 }, (_, i) => `s${i}: __schema { ...S }`).join(' ')} }
fragment S on __Schema { types { name kind description fields(includeDeprecated: true) { name description args { name description type { ...T } defaultValue }
  type { ...T } isDeprecated deprecationReason } inputFields { name type { ...T } } interfaces { name } enumValues(includeDeprecated: true) { name description } possibleTypes { name } } }
fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } }`;

/** The standard query under another name: not GraphiQL's, so held to the limits. */
const RENAMED = getIntrospectionQuery().replace('query IntrospectionQuery', 'query MyOwnIntrospection');

const TYPENAMES = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `t${i}: __typename`).join(' ')} }`;

interface Answer { data?: unknown; errors?: { message: string; extensions: { code: string } }[] }

async function post(url: string, query: string): Promise<{ status: number; bytes: number; answer: Answer }> {
  const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  const text = await res.text();
  return { status: res.status, bytes: Buffer.byteLength(text), answer: JSON.parse(text) as Answer };
}

describe('introspection within the limits', () => {
  let gateway: Awaited<ReturnType<typeof startGatewayBeside>>;
  beforeAll(async () => {
    gateway = await startGatewayBeside();
  });
  afterAll(() => gateway.stop());

  it('refuses a document that prints the schema many times over, in a few hundred bytes', async () => {
    const { bytes, answer } = await post(gateway.url, SCHEMA_BOMB);
    expect(answer.data).toBeUndefined();
    expect(answer.errors![0]!.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(answer.errors!.map((e) => e.message).join('\n')).toMatch(/depth limit of 8|Cost limit of 5000/);
    expect(bytes).toBeLessThan(2048);
  });

  it('holds an introspection query other than the standard one to the depth limit', async () => {
    const { answer } = await post(gateway.url, RENAMED);
    expect(answer.data).toBeUndefined();
    expect(answer.errors!.map((e) => e.message).join('\n')).toMatch(/Query depth limit of 8 exceeded/);
  });

  it('counts aliases of __typename under MAX_DOCUMENT_ALIASES', async () => {
    expect((await post(gateway.url, TYPENAMES(15))).answer.errors).toBeUndefined();
    const { answer } = await post(gateway.url, TYPENAMES(16));
    expect(answer.data).toBeUndefined();
    expect(answer.errors![0]!.message).toBe('Syntax Error: Aliases limit of 15 exceeded, found 16.');
  });

  it('answers the standard introspection query, in each of its variants, the same each time', async () => {
    for (const options of [{}, { schemaDescription: true, inputValueDeprecation: true }, { descriptions: false }, { specifiedByUrl: true, directiveIsRepeatable: true, oneOf: true }]) {
      const first = await post(gateway.url, getIntrospectionQuery(options));
      expect(first.answer.errors, JSON.stringify(options)).toBeUndefined();
      expect(first.answer.data).toHaveProperty('__schema.queryType.name', 'Query');
      const again = await post(gateway.url, getIntrospectionQuery(options));
      expect(again.answer).toEqual(first.answer);
    }
  });

  it('stays up, and no refused document answers with the schema', async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, () => post(gateway.url, SCHEMA_BOMB)));
    expect(alive(gateway)).toBe(true);
    for (const { bytes, answer } of answers) {
      expect(answer.data).toBeUndefined();
      expect(bytes).toBeLessThan(2048);
    }
  });
});
