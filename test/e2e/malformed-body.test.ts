// A request that is not GraphQL over HTTP at all (a body that is not JSON, no
// query) is 400 BAD_REQUEST as the README says, whatever the client accepts:
// GraphQL over HTTP recommends 400 for a JSON parse failure under
// application/json too (graphql-http audit BCF8).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './harness.ts';

async function post(stack: Stack, body: string, accept = 'application/json') {
  const res = await fetch(`${stack.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', accept }, body });
  return { status: res.status, body: (await res.json()) as { errors: { extensions: { code: string } }[] } };
}

describe('a request body that is not GraphQL over HTTP', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.stop());

  it('is 400 BAD_REQUEST when it is not JSON, whatever the client accepts', async () => {
    for (const accept of ['application/json', 'application/graphql-response+json', '*/*']) {
      const answer = await post(stack, '{"query": "{ __typename }"', accept);
      expect(answer.status).toBe(400);
      expect(answer.body.errors[0]!.extensions.code).toBe('BAD_REQUEST');
    }
  });

  it('is 400 BAD_REQUEST without a query', async () => {
    const answer = await post(stack, '{"variables": {}}');
    expect(answer.status).toBe(400);
    expect(answer.body.errors[0]!.extensions.code).toBe('BAD_REQUEST');
  });

  it('leaves the answer to a document that does not parse as it was (200 under application/json)', async () => {
    expect((await post(stack, '{"query": "{"}')).status).toBe(200);
    expect((await post(stack, '{"query": "{"}', 'application/graphql-response+json')).status).toBe(400);
  });
});
