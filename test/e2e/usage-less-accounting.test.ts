// RATE_LIMIT_TPM against a server that reports no usage (the simulator as some
// llama.cpp builds): each answer is charged at least one token per 4
// characters of its text, or its event count if larger, whichever operation
// and transport carried it. Before, unary answers cost nothing and 5 answers of
// 1,000 tokens passed a 300-TPM limit.
import { afterEach, describe, expect, it } from 'vitest';
import { ChatDocument, ChatStreamDocument, GenerateDocument, GenerateStreamDocument } from '../gql/graphql.ts';
import { post } from './clients.ts';
import { codes, idle, startPool, subscribe, type Pool } from './protocols.ts';

const LIMIT = 300;
/** Fewer events than LIMIT, but more than LIMIT × 4 characters of text (checked below). */
const TOKENS = 280;

const generateInput = { input: { modelId: 'pool', prompt: 'Tell a long story', maxNewTokens: TOKENS, seed: 7 } };
const chatInput = { input: { modelId: 'pool', messages: [{ role: 'USER' as const, content: 'Tell a long story' }], maxTokens: TOKENS, seed: 7 } };

/** One operation: the text it received, and the first error code (if refused). */
type Operation = (pool: Pool) => Promise<{ text: string; code: string | undefined }>;

const OPERATIONS: Record<string, Operation> = {
  generate: async (pool) => {
    const { data, errors } = await post(pool.url, GenerateDocument, generateInput);
    return { text: data?.generate.generatedText ?? '', code: errors?.[0]?.extensions?.code as string | undefined };
  },
  chat: async (pool) => {
    const { data, errors } = await post(pool.url, ChatDocument, chatInput);
    return { text: data?.chat.message.content ?? '', code: errors?.[0]?.extensions?.code as string | undefined };
  },
  'generateStream (graphql-ws)': async (pool) => {
    const payloads = await subscribe('graphql-ws', pool, GenerateStreamDocument, generateInput);
    return { text: payloads.map((p) => p.data?.generateStream.token.text ?? '').join(''), code: codes(payloads)[0] };
  },
  'chatStream (SSE)': async (pool) => {
    const payloads = await subscribe('sse', pool, ChatStreamDocument, chatInput);
    return { text: payloads.map((p) => p.data?.chatStream.delta ?? '').join(''), code: codes(payloads)[0] };
  },
};

describe('RATE_LIMIT_TPM on an OpenAI-compatible server that reports no usage', () => {
  let pool: Pool | undefined;
  afterEach(async () => {
    await pool?.stop();
    pool = undefined;
  });

  it.each(Object.keys(OPERATIONS))('%s is charged by its text: the next generation is refused', async (name) => {
    const operation = OPERATIONS[name]!;
    pool = await startPool('openai', { sim: { reportsUsage: false, timeToFirstTokenMs: 1, timePerTokenMs: 0 }, env: { RATE_LIMIT_TPM: String(LIMIT) } });
    const first = await operation(pool);
    expect(first.code).toBeUndefined();
    // The premise: its text is worth more than the limit at 4 characters a token.
    expect(first.text.length).toBeGreaterThanOrEqual(LIMIT * 4);
    await idle(pool);
    const second = await operation(pool);
    expect(second.code).toBe('RATE_LIMITED');
    await idle(pool);
  });

  it('a server that reports usage is charged its count, not the floor', async () => {
    pool = await startPool('openai', { sim: { timeToFirstTokenMs: 1, timePerTokenMs: 0 }, env: { RATE_LIMIT_TPM: String(LIMIT) } });
    const first = await OPERATIONS.generate!(pool);
    expect(first.code).toBeUndefined();
    expect(first.text.length).toBeGreaterThanOrEqual(LIMIT * 4);
    // TOKENS < LIMIT were counted by the server: the next one is admitted.
    expect((await OPERATIONS.generate!(pool)).code).toBeUndefined();
    await idle(pool);
  });
});
