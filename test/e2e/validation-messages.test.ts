// Bad input names the field at fault, in the client's own names, whether the
// gateway caught it or TGI did (TGI's tokenizer counts more tokens than the
// gateway's lower bound): over GraphQL in camelCase, over REST in snake_case.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GenerateDocument } from '../gql/graphql.ts';
import { post } from './clients.ts';
import { startStack, type Stack } from './harness.ts';

/** At least 101 tokens by the gateway's count (one per 32 bytes, plus BOS): over max_input_tokens. */
const LONG = 'x'.repeat(100 * 32);
/** 120 bytes, at least 5 tokens for the gateway; the simulator's tokenizer counts 62. */
const WORDY = 'a '.repeat(60);
/** 240 bytes, at least 9 tokens for the gateway; 122 for the simulator, more than the whole context. */
const WORDIER = 'a '.repeat(120);

describe('validation messages', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ maxInputTokens: 99, maxTotalTokens: 100 });
  });
  afterAll(() => stack.stop());
  const generated = () => stack.simulators[0]!.stats().requestsByRoute['POST /generate'] ?? 0;
  const graphql = async (over: Record<string, unknown>) => {
    const { errors } = await post(stack.url, GenerateDocument, { input: { modelId: 'sim', prompt: 'Hi', ...over } });
    return { message: errors![0]!.message, ...errors![0]!.extensions };
  };
  const rest = async (body: Record<string, unknown>) => {
    const res = await fetch(`${stack.url}/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model_id: 'sim', prompt: 'Hi', ...body }),
    });
    return { status: res.status, detail: ((await res.json()) as { detail: string }).detail };
  };

  describe('an empty modelId', () => {
    it('is BAD_USER_INPUT naming modelId, not an unknown model', async () => {
      expect(await graphql({ modelId: '' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'modelId', message: 'modelId cannot be empty' });
      expect(await rest({ model_id: '' })).toEqual({ status: 422, detail: 'model_id cannot be empty' });
    });
  });

  describe('a prompt too long for the model, caught by the gateway', () => {
    it('names prompt even when maxNewTokens is over the total too, without calling TGI', async () => {
      const before = generated();
      expect(await graphql({ prompt: LONG, maxNewTokens: 10 })).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'prompt',
        message: 'prompt tokens + maxNewTokens must be <= 100. Given: at least 101 prompt tokens and 10 maxNewTokens',
      });
      expect(await rest({ prompt: LONG, max_new_tokens: 10 })).toEqual({
        status: 422,
        detail: 'prompt tokens + max_new_tokens must be <= 100. Given: at least 101 prompt tokens and 10 max_new_tokens',
      });
      expect(await graphql({ prompt: LONG, maxNewTokens: null })).toMatchObject({ field: 'prompt' });
      expect(generated()).toBe(before);
    });

    it('names maxNewTokens when the prompt leaves room', async () => {
      expect(await graphql({ maxNewTokens: 99 })).toMatchObject({ field: 'maxNewTokens', message: expect.stringMatching(/^prompt tokens \+ maxNewTokens must be <= 100\./) });
      expect(await rest({ max_new_tokens: 99 })).toMatchObject({ status: 422, detail: expect.stringMatching(/^prompt tokens \+ max_new_tokens must be <= 100\./) });
    });
  });

  describe('a prompt too long for the model, caught by TGI', () => {
    it('reads like the gateway\'s own message, naming maxNewTokens while the prompt leaves room', async () => {
      const before = generated();
      const error = await graphql({ prompt: WORDY, maxNewTokens: 50 });
      expect(generated()).toBe(before + 1);
      expect(error).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'maxNewTokens',
        message: expect.stringMatching(/^prompt tokens \+ maxNewTokens must be <= 100\. Given: \d+ prompt tokens and 50 maxNewTokens$/),
      });
      expect(await rest({ prompt: WORDY, max_new_tokens: 50 })).toMatchObject({
        status: 422,
        detail: expect.stringMatching(/^prompt tokens \+ max_new_tokens must be <= 100\. Given: \d+ prompt tokens and 50 max_new_tokens$/),
      });
    });

    it('names prompt when the prompt alone fills the context', async () => {
      expect(await graphql({ prompt: WORDIER, maxNewTokens: 5 })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'prompt' });
      expect((await rest({ prompt: WORDIER, max_new_tokens: 5 })).status).toBe(422);
    });
  });
});
