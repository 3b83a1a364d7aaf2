// Every rule of the contract's list for tools and structured output (API.md
// § Tool calls, "Checked before any upstream call"): each refusal is
// BAD_USER_INPUT naming the field, and no model server is asked anything.
// Then the refusals only a server can make: its 400 is the client's error,
// with the server's reason, and is not retried.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatStreamWithToolsDocument, ChatWithToolsDocument, type ChatInput, type ToolInput } from '../gql/graphql.ts';
import { post } from './clients.ts';
import { callsTo, generationCalls, idle, PROTOCOLS, ROUTES, startPool, subscribe, type Pool } from './protocols.ts';

const OBJECT = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
const tool = (name: string, parameters: unknown = OBJECT): ToolInput => ({ name, parameters });
const USER = { role: 'USER' as const, content: 'What is the weather? Use get_weather.' };
const CALL = { id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' };

/** A schema nested deeper than the gateway takes. */
const deep = (levels: number): unknown => (levels === 0 ? { type: 'string' } : { type: 'object', properties: { a: deep(levels - 1) } });

/** [rule, field, the input's changes]: each breaks one rule and nothing else. */
const RULES: [string, string, Partial<ChatInput>][] = [
  ['a tool name with a character outside [A-Za-z0-9_-]', 'tools', { tools: [tool('get weather')] }],
  ['a tool name longer than 64 characters', 'tools', { tools: [tool('x'.repeat(65))] }],
  ['an empty tool name', 'tools', { tools: [tool('')] }],
  ['two tools with one name', 'tools', { tools: [tool('get_weather'), tool('get_weather')] }],
  ['more than 128 tools', 'tools', { tools: Array.from({ length: 129 }, (_, i) => tool(`t${i}`)) }],
  ['parameters that are not an object schema', 'tools', { tools: [tool('get_weather', { type: 'string' })] }],
  ['parameters that are not JSON Schema', 'tools', { tools: [tool('get_weather', { type: 'object', properties: { city: { type: 'no-such-type' } } })] }],
  ['parameters naming a draft the gateway does not check', 'tools', { tools: [tool('get_weather', { $schema: 'http://json-schema.org/draft-04/schema#', type: 'object' })] }],
  ['parameters with a pattern a linear-time engine cannot run (a backreference)', 'tools', { tools: [tool('get_weather', { type: 'object', properties: { a: { type: 'string', pattern: '(a)\\1' } } })] }],
  ['parameters nested deeper than the bound', 'tools', { tools: [tool('get_weather', deep(20))] }],
  ['toolChoice with both mode and function', 'toolChoice', { tools: [tool('get_weather')], toolChoice: { mode: 'AUTO', function: 'get_weather' } }],
  ['toolChoice with neither', 'toolChoice', { tools: [tool('get_weather')], toolChoice: {} }],
  ['toolChoice naming a tool not given', 'toolChoice', { tools: [tool('get_weather')], toolChoice: { function: 'get_time' } }],
  ['toolChoice without tools (REQUIRED)', 'toolChoice', { toolChoice: { mode: 'REQUIRED' } }],
  ['toolChoice without tools (a function)', 'toolChoice', { toolChoice: { function: 'get_weather' } }],
  ['toolChoice with an empty list of tools', 'toolChoice', { tools: [], toolChoice: { mode: 'REQUIRED' } }],
  ['a TOOL message without toolCallId', 'messages', { messages: [USER, { role: 'ASSISTANT', content: '', toolCalls: [CALL] }, { role: 'TOOL', content: 'sunny' }] }],
  ['a TOOL message answering a call nobody made', 'messages', { messages: [USER, { role: 'ASSISTANT', content: '', toolCalls: [CALL] }, { role: 'TOOL', content: 'sunny', toolCallId: 'call_2' }] }],
  ['a TOOL message before the call it answers', 'messages', { messages: [USER, { role: 'TOOL', content: 'sunny', toolCallId: 'call_1' }, { role: 'ASSISTANT', content: '', toolCalls: [CALL] }] }],
  ['a toolCallId on a USER message', 'messages', { messages: [{ ...USER, toolCallId: 'call_1' }] }],
  ['toolCalls on a USER message', 'messages', { messages: [{ ...USER, toolCalls: [CALL] }] }],
  ['an assistant call id used twice in the conversation', 'messages', {
    messages: [USER, { role: 'ASSISTANT', content: '', toolCalls: [CALL] }, { role: 'TOOL', content: 'sunny', toolCallId: 'call_1' }, { role: 'ASSISTANT', content: '', toolCalls: [CALL] }],
  }],
  ['an assistant call whose arguments are not JSON text', 'messages', { messages: [USER, { role: 'ASSISTANT', content: '', toolCalls: [{ ...CALL, arguments: '{city: Paris' }] }] }],
  ['JSON_SCHEMA without a name', 'responseFormat', { responseFormat: { type: 'JSON_SCHEMA', schema: OBJECT } }],
  ['JSON_SCHEMA with a name outside the tools pattern', 'responseFormat', { responseFormat: { type: 'JSON_SCHEMA', name: 'a film', schema: OBJECT } }],
  ['JSON_SCHEMA without a schema', 'responseFormat', { responseFormat: { type: 'JSON_SCHEMA', name: 'film' } }],
  ['JSON_SCHEMA with a schema that does not compile', 'responseFormat', { responseFormat: { type: 'JSON_SCHEMA', name: 'film', schema: { type: 'object', required: 'title' } } }],
  ['a name with JSON_OBJECT', 'responseFormat', { responseFormat: { type: 'JSON_OBJECT', name: 'film' } }],
  ['a schema with TEXT', 'responseFormat', { responseFormat: { type: 'TEXT', schema: OBJECT } }],
];

describe.each(PROTOCOLS)('tool input checked before any upstream call, on a %s model', (protocol) => {
  let pool: Pool;
  beforeAll(async () => {
    pool = await startPool(protocol);
  });
  afterAll(() => pool.stop());
  const input = (over: Partial<ChatInput>): { input: ChatInput } => ({ input: { modelId: 'pool', messages: [USER], maxTokens: 4, ...over } });

  it.each(RULES)('refuses %s (BAD_USER_INPUT on %s, no upstream request)', async (_rule, field, over) => {
    const before = generationCalls(pool.sims);
    const { errors } = await post(pool.url, ChatWithToolsDocument, input(over));
    expect(errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    const streamed = await subscribe('graphql-ws', pool, ChatStreamWithToolsDocument, input(over));
    expect(streamed[0]?.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(generationCalls(pool.sims)).toBe(before);
  });

  it('takes what the rules allow: mode NONE without tools, a draft-07 schema, tools without parameters, a call round trip', async () => {
    const allowed: Partial<ChatInput>[] = [
      { toolChoice: { mode: 'NONE' } },
      { tools: [] },
      { tools: [tool('get_weather', { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', properties: {} })] },
      { tools: [{ name: 'ping' }], toolChoice: { mode: 'REQUIRED' } },
      { tools: [tool('get_weather')], messages: [USER, { role: 'ASSISTANT', content: '', toolCalls: [CALL] }, { role: 'TOOL', content: 'sunny', toolCallId: 'call_1' }] },
    ];
    for (const over of allowed) {
      const { errors } = await post(pool.url, ChatWithToolsDocument, input(over));
      expect(errors).toBeUndefined();
    }
    await idle(pool);
  });

  if (protocol === 'tgi') {
    it('refuses tools with a JSON responseFormat together (TGI applies one grammar per request)', async () => {
      const before = generationCalls(pool.sims);
      const { errors } = await post(pool.url, ChatWithToolsDocument, input({ tools: [tool('get_weather')], responseFormat: { type: 'JSON_OBJECT' } }));
      expect(errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'responseFormat' });
      expect(generationCalls(pool.sims)).toBe(before);
    });
  }
});

describe('a model whose servers take no tools (TGI_<KEY>_TOOLS=false)', () => {
  let pool: Pool;
  beforeAll(async () => {
    pool = await startPool('openai', { env: { TGI_POOL_TOOLS: 'false' } });
  });
  afterAll(() => pool.stop());

  it('refuses tools before any call, and still chats', async () => {
    const { errors } = await post(pool.url, ChatWithToolsDocument, { input: { modelId: 'pool', messages: [USER], tools: [tool('get_weather')] } });
    expect(errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'tools' });
    expect(generationCalls(pool.sims)).toBe(0);
    const plain = await post(pool.url, ChatWithToolsDocument, { input: { modelId: 'pool', messages: [USER], maxTokens: 3 } });
    expect(plain.errors).toBeUndefined();
  });
});

describe('a server that refuses tools (vLLM without --enable-auto-tool-choice)', () => {
  let pool: Pool;
  beforeAll(async () => {
    pool = await startPool('openai', { replicas: 2, sim: { autoToolChoice: false } });
  });
  afterAll(() => pool.stop());

  it("is the client's error with the server's reason, asked once, not retried on another replica", async () => {
    const { errors } = await post(pool.url, ChatWithToolsDocument, { input: { modelId: 'pool', messages: [USER], tools: [tool('get_weather')] } });
    expect(errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(errors?.[0]?.message).toContain('--enable-auto-tool-choice');
    expect(callsTo(pool.sims, ROUTES.openai.chat)).toBe(1);
  });
});
