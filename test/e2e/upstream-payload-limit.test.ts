// With MAX_REQUEST_BYTES raised past TGI's 2 MB payload limit, the gateway
// holds what it would send upstream to that limit itself: a chat's messages,
// its tools and its answer schema together, over GraphQL and /v1 alike,
// refused as BAD_USER_INPUT before any call to the model server. It is
// counted as the JSON the server receives, escapes included.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MAX_UPSTREAM_BYTES } from '../../src/generation/upstream-size.ts';
import { ChatDocument, ChatWithToolsDocument, GenerateDocument, type ChatInput } from '../gql/graphql.ts';
import { post } from './clients.ts';
import { callsTo, idle, PROTOCOLS, ROUTES, startPool, type Pool } from './protocols.ts';

const MiB = 1_048_576;
/** 60% of the limit: a conversation that fits alone. */
const CONTENT = 'x'.repeat(Math.floor(MAX_UPSTREAM_BYTES * 0.6));
/** A schema of about half the limit: with the conversation, past it. */
const BIG_SCHEMA = { type: 'object', description: 'd'.repeat(Math.floor(MAX_UPSTREAM_BYTES * 0.5)), properties: { a: { type: 'string' } } };

const chatInput = (over: Partial<ChatInput> = {}): { input: ChatInput } => ({
  input: { modelId: 'pool', messages: [{ role: 'USER', content: CONTENT }], maxTokens: 2, ...over },
});

describe.each(PROTOCOLS)('the upstream payload limit on a %s model', (protocol) => {
  let pool: Pool;
  beforeAll(async () => {
    // A context large enough that only the payload limit can refuse these conversations.
    pool = await startPool(protocol, { sim: { maxInputTokens: 1_999_000, maxTotalTokens: 2_000_000 }, env: { MAX_REQUEST_BYTES: String(8 * MiB) } });
  });
  afterEach(() => idle(pool));
  afterAll(() => pool.stop());
  const chats = () => callsTo(pool.sims, ROUTES[protocol].chat);

  it('lets a conversation of 60% of the limit through: the bound is not met early', async () => {
    const before = chats();
    const { errors } = await post(pool.url, ChatDocument, chatInput());
    expect(errors).toBeUndefined();
    expect(chats()).toBe(before + 1);
  });

  const schemaOf = (share: number) => ({ type: 'object', description: 'd'.repeat(Math.floor(MAX_UPSTREAM_BYTES * share)), properties: { a: { type: 'string' } } });
  it.each([
    ['tools', (schema: object) => ({ tools: [{ name: 'lookup', parameters: schema }] })],
    ['responseFormat', (schema: object) => ({ responseFormat: { type: 'JSON_SCHEMA' as const, name: 'answer', schema } })],
  ] as const)('GraphQL chat: a conversation that fits, with %s that take it past the limit, is BAD_USER_INPUT naming the larger part; nothing is sent', async (field, withSchema) => {
    const before = chats();
    const { errors } = await post(pool.url, ChatWithToolsDocument, chatInput(withSchema(BIG_SCHEMA)));
    expect(errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'messages' });
    expect(errors?.[0]?.message).toContain(`must take at most ${MAX_UPSTREAM_BYTES} bytes in all`);
    const small = [{ role: 'USER' as const, content: CONTENT.slice(0, CONTENT.length / 2) }];
    const { errors: larger } = await post(pool.url, ChatWithToolsDocument, chatInput({ ...withSchema(schemaOf(0.8)), messages: small }));
    expect(larger?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(chats()).toBe(before);
  });

  it('GraphQL generate: a prompt of blank lines within the limit as text, past it as JSON (each newline is \\n), is refused; nothing is sent', async () => {
    const before = callsTo(pool.sims, ROUTES[protocol].generate);
    const prompt = '\n'.repeat(Math.floor(MAX_UPSTREAM_BYTES * 0.6));
    const { errors } = await post(pool.url, GenerateDocument, { input: { modelId: 'pool', prompt, maxNewTokens: 2 } });
    expect(errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'prompt' });
    expect(callsTo(pool.sims, ROUTES[protocol].generate)).toBe(before);
  });

  it('/v1/chat/completions: tools past the limit with the messages are 400 invalid_request_error; nothing is sent', async () => {
    const before = chats();
    const res = await fetch(`${pool.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'pool',
        max_tokens: 2,
        messages: [{ role: 'user', content: CONTENT }],
        tools: [{ type: 'function', function: { name: 'lookup', parameters: BIG_SCHEMA } }],
      }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { type: string; message: string; param: string } };
    expect(body.error).toMatchObject({ type: 'invalid_request_error', param: 'messages' });
    expect(body.error.message).toMatch(new RegExp(`^messages, tools, response_format and stop must take at most ${MAX_UPSTREAM_BYTES} bytes`));
    expect(chats()).toBe(before);
  });

  it('/v1/chat/completions: a response_format schema past the limit with the messages is refused the same way', async () => {
    const before = chats();
    const res = await fetch(`${pool.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'pool',
        max_tokens: 2,
        messages: [{ role: 'user', content: CONTENT }],
        response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: BIG_SCHEMA } },
      }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { param: string } }).error.param).toBe('messages');
    expect(chats()).toBe(before);
  });
});
