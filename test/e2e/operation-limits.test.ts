// GraphQL operation limits (graphql-armor's rules and graphql-js's own):
// depth, aliases, directives, cost and introspection, refused before
// anything runs, on HTTP and graphql-ws alike.
import { getIntrospectionQuery } from 'graphql';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startStack, type Stack } from './harness.ts';

interface Answer { data?: unknown; errors?: { message: string; extensions: { code: string } }[] }

async function post(stack: Stack, query: string): Promise<Answer> {
  const res = await fetch(`${stack.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  return (await res.json()) as Answer;
}

async function overSocket(stack: Stack, query: string): Promise<Answer['errors']> {
  const client = createClient({ url: stack.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0 });
  try {
    return await new Promise((resolve) => client.subscribe({ query }, { next: (r) => resolve(r.errors as Answer['errors']), error: (e) => resolve(e as Answer['errors']), complete: () => resolve(undefined) }));
  } finally {
    await client.dispose();
  }
}

const nested = (depth: number) => `{ ${'__type(name: "Query") { fields { type { '.repeat(1)}${'ofType { '.repeat(depth)}name${' }'.repeat(depth)} } } } }`;
const DEEP = '{ models { health { modelId } } }';
const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: info { name }`).join(' ')} }`;
const directives = (n: number) => `{ info { name ${'@include(if: true) '.repeat(n)} } }`;

describe('operation limits (defaults)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.stop());

  it('let GraphiQL\'s introspection query and ordinary queries through', async () => {
    expect((await post(stack, getIntrospectionQuery())).errors).toBeUndefined();
    expect((await post(stack, DEEP)).errors).toBeUndefined();
    expect((await post(stack, aliases(15))).errors).toBeUndefined();
  });

  it('refuse an alias bomb, over HTTP and WebSocket', async () => {
    const { data, errors } = await post(stack, aliases(16));
    expect(data).toBeUndefined();
    expect(errors![0]!.message).toBe('Syntax Error: Aliases limit of 15 exceeded, found 16.');
    expect(errors![0]!.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect((await overSocket(stack, aliases(16)))![0]!.message).toMatch(/Aliases limit of 15 exceeded/);
  });

  it('refuse a directive bomb', async () => {
    expect((await post(stack, directives(21))).errors![0]!.message).toMatch(/Directives limit of 20 exceeded/);
  });

  it('refuse a document deeper than MAX_DOCUMENT_DEPTH (8), such as a nest of ofType', async () => {
    const deep = `{ models { replicas { url } health { modelId } } model(id: "x") { health { modelId } } }`;
    expect((await post(stack, deep)).errors).toBeUndefined();
    const { errors } = await post(stack, nested(20));
    expect(errors![0]!.message).toBe('Syntax Error: Query depth limit of 8 exceeded, found 24.');
    expect(errors![0]!.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});

describe('operation limits (settings)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({}, { INTROSPECTION: 'false', MAX_DOCUMENT_DEPTH: '2', MAX_DOCUMENT_ALIASES: '2', MAX_DOCUMENT_COST: '10' });
  });
  afterAll(() => stack.stop());

  it('INTROSPECTION=false refuses __schema and __type, over HTTP and WebSocket', async () => {
    const { errors } = await post(stack, '{ __schema { types { name } } }');
    // Introspection is held to MAX_DOCUMENT_DEPTH (2 here) too: that refusal may come first.
    expect(errors!.map((e) => e.message).join('\n')).toMatch(/introspection/i);
    expect(errors![0]!.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect((await overSocket(stack, '{ __type(name: "Query") { name } }'))![0]!.message).toMatch(/introspection/i);
    expect((await post(stack, '{ info { name } }')).errors).toBeUndefined();
  });

  it('MAX_DOCUMENT_COST refuses a document that costs more', async () => {
    expect((await post(stack, '{ models { id name hfName endpoint available } }')).errors).toBeUndefined(); // costs 9.5
    const { errors } = await post(stack, '{ a: models { id name hfName endpoint available } b: models { id name } }');
    expect(errors![0]!.message).toBe('Syntax Error: Query Cost limit of 10 exceeded, found 14.5.');
    expect(errors![0]!.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('MAX_DOCUMENT_DEPTH and MAX_DOCUMENT_ALIASES take their values', async () => {
    expect((await post(stack, '{ models { health { modelId } } }')).errors![0]!.message).toMatch(/Query depth limit of 2 exceeded, found 3/);
    expect((await post(stack, aliases(3))).errors![0]!.message).toMatch(/Aliases limit of 2 exceeded, found 3/);
  });
});
