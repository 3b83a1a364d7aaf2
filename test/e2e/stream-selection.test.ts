// A subscription's selection set is applied to every event exactly as
// graphql-js would: aliases, fragments, @include/@skip, __typename. Events run
// through compiled code (graphql-jit); a document it cannot compile (a Seed
// literal) runs on graphql-js, with the same answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectWs, wsClient } from './clients.ts';
import { startStack, type Stack } from './harness.ts';

const SELECTION = `
  subscription S($input: GenerateInput!, $withToken: Boolean!) {
    stream: generateStream(input: $input) {
      __typename
      n: index
      ...Token @include(if: $withToken)
      generatedText @skip(if: $withToken)
      details { reason: finishReason generatedTokens }
    }
  }
  fragment Token on GenerationStreamEvent { token { text special } }`;

describe('a subscription selection applied to every event', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.stop());

  const run = async (query: string, variables: Record<string, unknown>) => {
    const client = wsClient(stack.wsUrl);
    try {
      return await collectWs(client, { toString: () => query } as never, variables as never) as { data?: { stream: Record<string, unknown> } | null; errors?: unknown }[];
    } finally {
      await client.dispose();
    }
  };

  it('keeps aliases, fragments and directives on every event', async () => {
    const input = { modelId: 'sim', prompt: 'selection', maxNewTokens: 3, seed: 5 };
    const withToken = await run(SELECTION, { input, withToken: true });
    expect(withToken.map((p) => p.errors)).toEqual([undefined, undefined, undefined]);
    expect(withToken.map((p) => Object.keys(p.data!.stream))).toEqual(Array(3).fill(['__typename', 'n', 'token', 'details']));
    expect(withToken[0]!.data!.stream).toMatchObject({ __typename: 'GenerationStreamEvent', n: 1, details: null });
    expect(withToken[2]!.data!.stream.details).toEqual({ reason: 'LENGTH', generatedTokens: 3 });

    const without = await run(SELECTION, { input, withToken: false });
    expect(without.map((p) => Object.keys(p.data!.stream))).toEqual(Array(3).fill(['__typename', 'n', 'generatedText', 'details']));
    const text = withToken.map((p) => (p.data!.stream.token as { text: string }).text).join('');
    expect(without[2]!.data!.stream.generatedText).toBe(text);
  });

  it('streams the same events for a Seed literal, which runs uncompiled', async () => {
    const literal = `subscription S { stream: generateStream(input: { modelId: "sim", prompt: "selection", maxNewTokens: 3, seed: 5 }) { n: index token { text } } }`;
    const variable = `subscription S($input: GenerateInput!) { stream: generateStream(input: $input) { n: index token { text } } }`;
    const fromLiteral = await run(literal, {});
    const fromVariable = await run(variable, { input: { modelId: 'sim', prompt: 'selection', maxNewTokens: 3, seed: 5 } });
    expect(fromLiteral).toHaveLength(3);
    expect(fromLiteral).toEqual(fromVariable);
  });
});
