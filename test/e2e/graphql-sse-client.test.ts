// The graphql-sse client library, as an app would use it. Its default
// "distinct connections" mode is GraphQL over SSE as the gateway serves it;
// its "single connection" mode is not served, and the client is told so in
// the status line it reports (the body says it too, for curl).
import { createClient, type ExecutionResult } from 'graphql-sse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GenerateStreamDocument } from '../gql/graphql.ts';
import { startStack, type Stack } from './harness.ts';

const query = GenerateStreamDocument.toString();
const variables = { input: { modelId: 'sim', prompt: 'Hello', maxNewTokens: 5, seed: 3 } };

function run(url: string, singleConnection: boolean): Promise<{ results: ExecutionResult[]; error?: unknown }> {
  const client = createClient({ url: `${url}/graphql`, singleConnection, retryAttempts: 0 });
  const results: ExecutionResult[] = [];
  return new Promise((resolve) => {
    client.subscribe({ query, variables }, {
      next: (result) => void results.push(result as ExecutionResult),
      error: (error: unknown) => {
        client.dispose();
        resolve({ results, error });
      },
      complete: () => {
        client.dispose();
        resolve({ results });
      },
    });
  });
}

describe('the graphql-sse client', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('streams a generation in its default distinct-connections mode', async () => {
    const { results, error } = await run(stack.url, false);
    expect(error).toBeUndefined();
    expect(results.map((r) => (r.data as { generateStream: { index: number } }).generateStream.index)).toEqual([1, 2, 3, 4, 5]);
  });

  it('in single-connection mode learns from the status line that the mode is not supported, and nothing runs', async () => {
    const before = stack.simulators[0]!.stats();
    const { results, error } = await run(stack.url, true);
    expect(results).toEqual([]);
    expect(String(error)).toMatch(/405: Single-connection mode not supported; use distinct connections/);
    expect(stack.simulators[0]!.stats()).toEqual(before);
  });

  it('answers the reservation (PUT) with 405 and a message naming the supported mode', async () => {
    const res = await fetch(`${stack.url}/graphql`, { method: 'PUT' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, POST, OPTIONS');
    const body = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toBe('BAD_REQUEST');
    expect(body.errors[0]!.message).toMatch(/singleConnection: false/);
  });
});
