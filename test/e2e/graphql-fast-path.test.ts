// The common GraphQL POST (JSON, a query or a mutation) is answered without
// yoga's Fetch API layer. It must answer exactly as yoga does: the same body
// (but the request id), status and content type, for results, errors and
// refusals alike. A body with `extensions` always goes through yoga, which
// makes the two paths comparable request by request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './harness.ts';

interface Answer {
  status: number;
  type: string | null;
  body: unknown;
}

const GENERATE = 'mutation G($input: GenerateInput!) { generate(input: $input) { generatedText details { finishReason generatedTokens seed } } }';

const CASES: [string, Record<string, unknown>, string | undefined][] = [
  ['a query', { query: '{ info { name } models { id available } }' }, undefined],
  ['a mutation', { query: GENERATE, variables: { input: { modelId: 'sim', prompt: 'Hello', maxNewTokens: 4, seed: 3 } } }, undefined],
  ['a mutation, graphql-response+json', { query: GENERATE, variables: { input: { modelId: 'sim', prompt: 'Hello', maxNewTokens: 4, seed: 3 } } }, 'application/graphql-response+json'],
  ['bad input refused by the resolver', { query: GENERATE, variables: { input: { modelId: 'sim', prompt: 'Hello', topP: 1 } } }, 'application/graphql-response+json'],
  ['an unknown model', { query: GENERATE, variables: { input: { modelId: 'nope', prompt: 'Hello' } } }, 'application/json'],
  ['a syntax error', { query: '{ info {' }, 'application/graphql-response+json'],
  ['a syntax error, application/json', { query: '{ info {' }, 'application/json'],
  ['a validation error', { query: '{ nope }' }, 'application/graphql-response+json'],
  ['variables that do not fit', { query: GENERATE, variables: { input: { modelId: 'sim' } } }, 'application/graphql-response+json'],
  ['a subscription asked for as JSON', { query: 'subscription { generateStream(input: {modelId: "sim", prompt: "x"}) { index } }' }, 'application/json'],
  ['an operation name that matches nothing', { query: '{ info { name } }', operationName: 'Other' }, 'application/json'],
  ['no query', { variables: {} }, 'application/json'],
];

const STREAM = 'subscription S($input: GenerateInput!) { generateStream(input: $input) { index token { text } generatedText details { finishReason seed } } }';

const SSE_CASES: [string, Record<string, unknown>][] = [
  ['a stream', { query: STREAM, variables: { input: { modelId: 'sim', prompt: 'Hello', maxNewTokens: 5, seed: 9 } } }],
  ['a chat stream', { query: 'subscription { chatStream(input: {modelId: "sim", messages: [{role: USER, content: "Hi"}], maxTokens: 4, seed: 2}) { index delta finishReason usage { totalTokens } } }' }],
  ['bad input refused by the resolver', { query: STREAM, variables: { input: { modelId: 'sim', prompt: 'Hello', topP: 1 } } }],
  ['an unknown model', { query: STREAM, variables: { input: { modelId: 'nope', prompt: 'Hello' } } }],
  ['variables that do not fit', { query: STREAM, variables: {} }],
  ['a query over SSE', { query: '{ info { name } }' }],
  ['a syntax error', { query: 'subscription {' }],
];

describe('the common GraphQL request, answered beside yoga', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.stop());

  async function ask(body: Record<string, unknown>, accept: string | undefined): Promise<Answer> {
    const res = await fetch(`${stack.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(accept === undefined ? {} : { accept }) },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, type: res.headers.get('content-type'), body: text === '' ? '' : JSON.parse(text.replace(/"requestId":"[^"]+"/g, '"requestId":"…"')) };
  }

  it.each(CASES)('answers %s as yoga does', async (_what, body, accept) => {
    const fast = await ask(body, accept);
    const yoga = await ask({ ...body, extensions: {} }, accept);
    expect(fast).toEqual(yoga);
  });

  it.each(SSE_CASES)('streams %s over SSE as yoga does', async (_what, body) => {
    const sse = async (payload: Record<string, unknown>) => {
      const res = await fetch(`${stack.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream' }, body: JSON.stringify(payload) });
      const headers = Object.fromEntries([...res.headers].filter(([name]) => name !== 'date' && name !== 'x-request-id'));
      return { status: res.status, headers, body: (await res.text()).replace(/"requestId":"[^"]+"/g, '"requestId":"…"') };
    };
    const fast = await sse(body);
    const yoga = await sse({ ...body, extensions: {} });
    expect(fast).toEqual(yoga);
    expect(fast.body.startsWith(':\n\n')).toBe(true);
  });

  it('answers the success case itself, with the same headers yoga sends', async () => {
    const res = await fetch(`${stack.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ info { name } }"}' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(await res.json()).toEqual({ data: { info: { name: 'tgi-graphql-gateway' } } });
  });
});
