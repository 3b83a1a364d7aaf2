// Tool calls and structured output over the gateway's /v1, on both upstream
// protocols, with the official `openai` SDK and the Vercel AI SDK as clients:
// the calls (names and arguments) and JSON answers equal what GraphQL's chat
// returns for the same seeded request; streamed calls arrive as OpenAI's
// `delta.tool_calls` pieces; a round trip sends the result back; the tool
// rules refuse bad tools naming the field, before any upstream call.
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { generateObject, generateText, jsonSchema, streamText, tool } from 'ai';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChatWithToolsDocument, type ChatInput } from '../gql/graphql.ts';
import { post } from './clients.ts';
import { callsTo, idle, PROTOCOLS, ROUTES, startPool, type Pool } from './protocols.ts';

const WEATHER_PARAMETERS = {
  type: 'object',
  properties: { city: { type: 'string' }, days: { type: 'integer', minimum: 1 } },
  required: ['city', 'days'],
} as const;
const TIME_PARAMETERS = { type: 'object', properties: { zone: { type: 'string' } }, required: ['zone'] } as const;
const FILM_SCHEMA = {
  type: 'object',
  properties: { title: { type: 'string' }, year: { type: 'integer' }, tags: { type: 'array', items: { type: 'string' }, minItems: 2 } },
  required: ['title', 'year', 'tags'],
} as const;
const ASK = 'What is the weather in Paris? Use get_weather.';

const OPENAI_TOOLS: OpenAI.ChatCompletionTool[] = [
  { type: 'function', function: { name: 'get_time', parameters: TIME_PARAMETERS } },
  { type: 'function', function: { name: 'get_weather', description: 'The weather in a city.', parameters: WEATHER_PARAMETERS } },
];
const GRAPHQL_TOOLS = [
  { name: 'get_time', parameters: TIME_PARAMETERS },
  { name: 'get_weather', description: 'The weather in a city.', parameters: WEATHER_PARAMETERS },
];

describe.each(PROTOCOLS)('tools and JSON answers over /v1 in front of a %s model', (protocol) => {
  let pool: Pool;
  let openai: OpenAI;
  let provider: ReturnType<typeof createOpenAICompatible>;
  beforeAll(async () => {
    pool = await startPool(protocol);
    openai = new OpenAI({ baseURL: `${pool.url}/v1`, apiKey: 'unused', maxRetries: 0 });
    provider = createOpenAICompatible({ name: 'gateway', baseURL: `${pool.url}/v1`, apiKey: 'unused', includeUsage: true, supportsStructuredOutputs: true });
  });
  afterEach(async () => {
    pool.reset();
    await idle(pool);
  });
  afterAll(() => pool.stop());

  async function graphqlChat(over: Partial<ChatInput>) {
    const { data, errors } = await post(pool.url, ChatWithToolsDocument, { input: { modelId: 'pool', messages: [{ role: 'USER', content: ASK }], maxTokens: 12, seed: 5, temperature: 0, ...over } });
    expect(errors).toBeUndefined();
    return data!.chat;
  }
  const namesAndArguments = (calls: readonly { name: string; arguments: string }[]) => calls.map((c) => ({ name: c.name, arguments: c.arguments }));

  describe('with the openai SDK', () => {
    const base = { model: 'pool', messages: [{ role: 'user' as const, content: ASK }], max_tokens: 12, seed: 5, temperature: 0, tools: OPENAI_TOOLS };

    it("a unary call: finish_reason tool_calls, null content, the calls GraphQL's chat makes", async () => {
      const answer = await openai.chat.completions.create(base);
      const graphql = await graphqlChat({ tools: GRAPHQL_TOOLS });
      const [choice] = answer.choices;
      expect(choice!.finish_reason).toBe('tool_calls');
      expect(choice!.message.content).toBeNull();
      const calls = choice!.message.tool_calls!.map((c) => ({ id: c.id, type: c.type, ...(c as OpenAI.ChatCompletionMessageFunctionToolCall).function }));
      expect(calls).toEqual([{ id: expect.any(String), type: 'function', name: 'get_weather', arguments: expect.any(String) }]);
      expect(namesAndArguments(calls)).toEqual(namesAndArguments(graphql.message.toolCalls));
    });

    it('tool_choice required and a named function force a call', async () => {
      const required = await openai.chat.completions.create({ ...base, tool_choice: 'required' });
      expect((required.choices[0]!.message.tool_calls![0] as OpenAI.ChatCompletionMessageFunctionToolCall).function.name).toBe('get_time');
      const named = await openai.chat.completions.create({ ...base, tool_choice: { type: 'function', function: { name: 'get_weather' } } });
      expect((named.choices[0]!.message.tool_calls![0] as OpenAI.ChatCompletionMessageFunctionToolCall).function.name).toBe('get_weather');
    });

    it('a streamed call arrives as delta.tool_calls pieces: id, type and name once, then arguments that reassemble to the unary ones', async () => {
      const unary = await openai.chat.completions.create({ ...base, tool_choice: { type: 'function', function: { name: 'get_weather' } } });
      const stream = await openai.chat.completions.create({ ...base, tool_choice: { type: 'function', function: { name: 'get_weather' } }, stream: true });
      const pieces: OpenAI.ChatCompletionChunk.Choice.Delta.ToolCall[] = [];
      const finishes: string[] = [];
      for await (const chunk of stream) {
        pieces.push(...(chunk.choices[0]?.delta.tool_calls ?? []));
        if (chunk.choices[0]?.finish_reason) finishes.push(chunk.choices[0].finish_reason);
      }
      expect(pieces.length).toBeGreaterThan(2);
      expect(pieces.every((p) => p.index === 0)).toBe(true);
      expect(pieces[0]).toMatchObject({ id: expect.any(String), type: 'function', function: { name: 'get_weather' } });
      expect(pieces.slice(1).every((p) => p.id === undefined && p.function?.name === undefined)).toBe(true);
      const args = pieces.map((p) => p.function?.arguments ?? '').join('');
      expect(args).toBe((unary.choices[0]!.message.tool_calls![0] as OpenAI.ChatCompletionMessageFunctionToolCall).function.arguments);
      expect(finishes).toEqual(['tool_calls']);
    });

    it('a round trip: the call and its result sent back, the answer is text that mentions the result, as over GraphQL', async () => {
      const first = (await openai.chat.completions.create(base)).choices[0]!.message.tool_calls![0] as OpenAI.ChatCompletionMessageFunctionToolCall;
      const answer = await openai.chat.completions.create({
        ...base,
        messages: [
          { role: 'user', content: ASK },
          { role: 'assistant', content: null, tool_calls: [first] },
          { role: 'tool', content: 'sunny, 24 C', tool_call_id: first.id },
        ],
      });
      const graphql = await graphqlChat({
        tools: GRAPHQL_TOOLS,
        messages: [
          { role: 'USER', content: ASK },
          { role: 'ASSISTANT', content: '', toolCalls: [{ id: first.id, name: first.function.name, arguments: first.function.arguments }] },
          { role: 'TOOL', content: 'sunny, 24 C', toolCallId: first.id },
        ],
      });
      expect(answer.choices[0]!.message.tool_calls).toBeUndefined();
      expect(answer.choices[0]!.message.content).toContain('sunny, 24 C');
      expect(answer.choices[0]!.message.content).toBe(graphql.message.content);
    });

    it("response_format json_schema: the content is JSON holding the schema, GraphQL's content for the same request", async () => {
      const request = { model: 'pool', messages: [{ role: 'user' as const, content: 'A film, as JSON' }], max_tokens: 12, seed: 5, temperature: 0 };
      const answer = await openai.chat.completions.create({ ...request, response_format: { type: 'json_schema', json_schema: { name: 'film', schema: FILM_SCHEMA } } });
      const graphql = await graphqlChat({ messages: [{ role: 'USER', content: 'A film, as JSON' }], responseFormat: { type: 'JSON_SCHEMA', name: 'film', schema: FILM_SCHEMA } });
      const content = answer.choices[0]!.message.content!;
      expect(content).toBe(graphql.message.content);
      expect(JSON.parse(content)).toEqual({ title: expect.any(String), year: expect.any(Number), tags: [expect.any(String), expect.any(String)] });
      const object = await openai.chat.completions.create({ ...request, response_format: { type: 'json_object' } });
      expect(JSON.parse(object.choices[0]!.message.content!)).toEqual(expect.any(Object));
    });

    it.each([
      [{ tools: [OPENAI_TOOLS[0]!, OPENAI_TOOLS[0]!] }, 'tools'],
      [{ tool_choice: { type: 'function', function: { name: 'nope' } } }, 'tool_choice'],
      [{ tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'string' } } }] }, 'tools'],
      [{ response_format: { type: 'json_schema', json_schema: { name: 'bad name!', schema: FILM_SCHEMA } } }, 'response_format'],
      [{ messages: [{ role: 'tool', content: 'x', tool_call_id: 'never-called' }] }, 'messages'],
    ])('the tool rules refuse %j with 400 naming %s, before any upstream call', async (over, param) => {
      const before = callsTo(pool.sims, ROUTES[protocol].chat);
      const error = await openai.chat.completions.create({ ...base, ...over } as never).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect(error).toMatchObject({ status: 400, param, type: 'invalid_request_error' });
      expect((error as Error).message).not.toMatch(/toolChoice|responseFormat|toolCallId/);
      expect(callsTo(pool.sims, ROUTES[protocol].chat)).toBe(before);
    });
  });

  describe('with the AI SDK', () => {
    const tools = {
      get_time: tool({ inputSchema: jsonSchema(TIME_PARAMETERS) }),
      get_weather: tool({ description: 'The weather in a city.', inputSchema: jsonSchema(WEATHER_PARAMETERS) }),
    };

    it('generateText returns the tool call GraphQL chat makes', async () => {
      const result = await generateText({ model: provider.chatModel('pool'), prompt: ASK, tools, maxOutputTokens: 12, seed: 5, temperature: 0, maxRetries: 0 });
      const graphql = await graphqlChat({ tools: GRAPHQL_TOOLS });
      expect(result.finishReason).toBe('tool-calls');
      expect(result.toolCalls.map((c) => ({ name: c.toolName, arguments: JSON.stringify(c.input) })))
        .toEqual(graphql.message.toolCalls.map((c) => ({ name: c.name, arguments: JSON.stringify(JSON.parse(c.arguments)) })));
    });

    it('streamText streams the same tool call', async () => {
      const result = streamText({ model: provider.chatModel('pool'), prompt: ASK, tools, maxOutputTokens: 12, seed: 5, temperature: 0, maxRetries: 0 });
      const calls = await result.toolCalls;
      const graphql = await graphqlChat({ tools: GRAPHQL_TOOLS });
      expect(calls.map((c) => ({ name: c.toolName, input: c.input }))).toEqual(graphql.message.toolCalls.map((c) => ({ name: c.name, input: c.parsedArguments })));
      expect(await result.finishReason).toBe('tool-calls');
    });

    it("generateObject with a schema returns GraphQL's parsed content for the same request", async () => {
      const result = await generateObject({
        model: provider.chatModel('pool'), prompt: 'A film, as JSON', schema: jsonSchema<{ title: string; year: number; tags: string[] }>(FILM_SCHEMA), schemaName: 'film',
        maxOutputTokens: 12, seed: 5, temperature: 0, maxRetries: 0,
      });
      const graphql = await graphqlChat({ messages: [{ role: 'USER', content: 'A film, as JSON' }], responseFormat: { type: 'JSON_SCHEMA', name: 'film', schema: FILM_SCHEMA } });
      expect(result.object).toEqual(graphql.parsedContent);
    });
  });
});
