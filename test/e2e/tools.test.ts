// Tool calls and structured output, specified end to end on both upstream
// protocols (TGI's Messages API and an OpenAI-compatible server), each on its
// own wire: real simulators and a real gateway on loopback. The unary answer
// over HTTP; streams over graphql-ws and GraphQL-over-SSE, reassembled and
// compared with it.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ChatStreamWithToolsDocument, ChatWithToolsDocument, type ChatInput, type ChatStreamWithToolsSubscription, type ToolInput,
} from '../gql/graphql.ts';
import { post, type Result } from './clients.ts';
import { callsTo, idle, PROTOCOLS, ROUTES, startPool, subscribe, TRANSPORTS, type Pool } from './protocols.ts';

const WEATHER: ToolInput = {
  name: 'get_weather',
  description: 'The weather in a city.',
  parameters: {
    type: 'object',
    properties: { city: { type: 'string' }, days: { type: 'integer', minimum: 1 } },
    required: ['city', 'days'],
  },
};
const TIME: ToolInput = { name: 'get_time', parameters: { type: 'object', properties: { zone: { type: 'string' } }, required: ['zone'] } };
const ANSWER_SCHEMA = {
  type: 'object',
  properties: { title: { type: 'string' }, year: { type: 'integer' }, tags: { type: 'array', items: { type: 'string' }, minItems: 2 } },
  required: ['title', 'year', 'tags'],
};

const input = (over: Partial<ChatInput> = {}): { input: ChatInput } => ({
  input: { modelId: 'pool', messages: [{ role: 'USER', content: 'What is the weather in Paris? Use get_weather.' }], maxTokens: 12, seed: 5, ...over },
});

type StreamEvent = ChatStreamWithToolsSubscription['chatStream'];
const eventsOf = (payloads: Result<ChatStreamWithToolsSubscription>[]): StreamEvent[] => {
  expect(payloads.every((p) => p.errors === undefined)).toBe(true);
  return payloads.map((p) => p.data!.chatStream);
};

/** Each call's deltas joined, by index; ids and names from each call's first delta only. */
function reassemble(events: StreamEvent[]): { id: string; name: string; arguments: string }[] {
  const calls = new Map<number, { id: string; name: string; arguments: string }>();
  for (const delta of events.flatMap((e) => e.toolCallDeltas)) {
    const call = calls.get(delta.index);
    if (!call) {
      expect(delta.id).toBeTruthy();
      expect(delta.name).toBeTruthy();
      calls.set(delta.index, { id: delta.id!, name: delta.name!, arguments: delta.argumentsDelta });
    } else {
      expect(delta.id).toBeNull();
      expect(delta.name).toBeNull();
      call.arguments += delta.argumentsDelta;
    }
  }
  return [...calls.entries()].sort(([a], [b]) => a - b).map(([, c]) => c);
}

describe.each(PROTOCOLS)('tool calls on a %s model', (protocol) => {
  let pool: Pool;
  beforeAll(async () => {
    pool = await startPool(protocol);
  });
  afterEach(async () => {
    pool.reset();
    await idle(pool);
  });
  afterAll(() => pool.stop());
  const sent = () => pool.sims[0]!.lastRequest(ROUTES[protocol].chat)!.body as Record<string, unknown>;

  it('REQUIRED calls the first tool: TOOL_CALLS, an id unique in the answer, arguments that parse and hold the schema', async () => {
    const { data, errors } = await post(pool.url, ChatWithToolsDocument, input({ tools: [TIME, WEATHER], toolChoice: { mode: 'REQUIRED' } }));
    expect(errors).toBeUndefined();
    const chat = data!.chat;
    expect(chat.finishReason).toBe('TOOL_CALLS');
    expect(chat.message.content).toBe('');
    expect(chat.message.toolCalls).toHaveLength(1);
    const [call] = chat.message.toolCalls;
    expect(call).toMatchObject({ name: 'get_time', validationErrors: [] });
    expect(JSON.parse(call!.arguments)).toEqual(call!.parsedArguments);
    expect(call!.parsedArguments).toEqual({ zone: expect.any(String) });
    // TGI's unary id is always "0": the gateway makes one.
    expect(call!.id).toMatch(protocol === 'tgi' ? /^call_[A-Za-z0-9]{24}$/ : /^chatcmpl-tool-/);
    expect(chat.parsedContent).toBeNull();
    expect(chat.validationErrors).toEqual([]);
    expect(sent()).toMatchObject({
      tools: [{ type: 'function', function: { name: 'get_time' } }, { type: 'function', function: { name: 'get_weather', description: 'The weather in a city.' } }],
      tool_choice: 'required',
    });
  });

  it('a named function forces that tool', async () => {
    const { data } = await post(pool.url, ChatWithToolsDocument, input({ tools: [TIME, WEATHER], toolChoice: { function: 'get_weather' } }));
    expect(data!.chat.finishReason).toBe('TOOL_CALLS');
    expect(data!.chat.message.toolCalls[0]!.parsedArguments).toEqual({ city: expect.any(String), days: expect.any(Number) });
    expect(sent()).toMatchObject({ tool_choice: { type: 'function', function: { name: 'get_weather' } } });
  });

  it('AUTO (the default with tools) calls the tool the message names, and answers in text when it names none', async () => {
    const called = await post(pool.url, ChatWithToolsDocument, input({ tools: [TIME, WEATHER] }));
    expect(called.data!.chat.message.toolCalls.map((c) => c.name)).toEqual(['get_weather']);
    expect(sent()).toMatchObject({ tool_choice: 'auto' });
    const text = await post(pool.url, ChatWithToolsDocument, input({ tools: [TIME, WEATHER], messages: [{ role: 'USER', content: 'Hello there' }] }));
    expect(text.data!.chat.message.toolCalls).toEqual([]);
    expect(text.data!.chat.finishReason).not.toBe('TOOL_CALLS');
    expect(text.data!.chat.message.content.length).toBeGreaterThan(0);
  });

  it('a tool round trip: the call and its result sent back, the model answers in text that mentions the result', async () => {
    const first = (await post(pool.url, ChatWithToolsDocument, input({ tools: [WEATHER] }))).data!.chat.message.toolCalls[0]!;
    const { data, errors } = await post(pool.url, ChatWithToolsDocument, input({
      tools: [WEATHER],
      messages: [
        { role: 'USER', content: 'What is the weather in Paris? Use get_weather.' },
        { role: 'ASSISTANT', content: '', toolCalls: [{ id: first.id, name: first.name, arguments: first.arguments }] },
        { role: 'TOOL', content: 'sunny, 24 C', toolCallId: first.id },
      ],
    }));
    expect(errors).toBeUndefined();
    expect(data!.chat.message.toolCalls).toEqual([]);
    expect(data!.chat.message.content).toContain('sunny, 24 C');
    const messages = sent().messages as Record<string, unknown>[];
    expect(messages[1]).toMatchObject({ role: 'assistant', tool_calls: [{ id: first.id, type: 'function', function: { name: 'get_weather', arguments: first.arguments } }] });
    expect(messages[2]).toEqual({ role: 'tool', content: 'sunny, 24 C', tool_call_id: first.id });
  });

  it('NONE answers in text', async () => {
    const { data } = await post(pool.url, ChatWithToolsDocument, input({ tools: [WEATHER], toolChoice: { mode: 'NONE' } }));
    expect(data!.chat.message.toolCalls).toEqual([]);
    expect(sent()).toMatchObject({ tool_choice: 'none' });
  });

  it('JSON_SCHEMA: the answer parsed and held to the schema, sent as the server takes it', async () => {
    const { data, errors } = await post(pool.url, ChatWithToolsDocument, input({
      messages: [{ role: 'USER', content: 'A film, as JSON' }],
      responseFormat: { type: 'JSON_SCHEMA', name: 'film', schema: ANSWER_SCHEMA },
    }));
    expect(errors).toBeUndefined();
    const chat = data!.chat;
    expect(chat.parsedContent).toEqual(JSON.parse(chat.message.content));
    expect(chat.parsedContent).toEqual({ title: expect.any(String), year: expect.any(Number), tags: [expect.any(String), expect.any(String)] });
    expect(chat.validationErrors).toEqual([]);
    expect(sent().response_format).toEqual(
      protocol === 'tgi' ? { type: 'json', value: ANSWER_SCHEMA } : { type: 'json_schema', json_schema: { name: 'film', schema: ANSWER_SCHEMA } },
    );
  });

  it('JSON_OBJECT: any JSON object, parsed; TEXT answers have no parsed content', async () => {
    const json = await post(pool.url, ChatWithToolsDocument, input({ messages: [{ role: 'USER', content: 'JSON please' }], responseFormat: { type: 'JSON_OBJECT' } }));
    expect(json.data!.chat.parsedContent).toEqual(expect.any(Object));
    expect(sent().response_format).toEqual(protocol === 'tgi' ? { type: 'json', value: { type: 'object' } } : { type: 'json_object' });
    const text = await post(pool.url, ChatWithToolsDocument, input({ messages: [{ role: 'USER', content: 'Hi' }], responseFormat: { type: 'TEXT' } }));
    expect(text.data!.chat).toMatchObject({ parsedContent: null, validationErrors: [] });
  });

  it('arguments that are not JSON: parsedArguments null and one validation error saying so', async () => {
    pool.sims[0]!.setFaults({ badJson: 'not-json' });
    const { data } = await post(pool.url, ChatWithToolsDocument, input({ tools: [WEATHER], toolChoice: { mode: 'REQUIRED' } }));
    const call = data!.chat.message.toolCalls[0]!;
    expect(call.parsedArguments).toBeNull();
    expect(call.validationErrors).toEqual(['the arguments are not valid JSON']);
  });

  it('arguments that break the schema: parsed, and the errors say where', async () => {
    pool.sims[0]!.setFaults({ badJson: 'breaks-schema' });
    const { data } = await post(pool.url, ChatWithToolsDocument, input({ tools: [WEATHER], toolChoice: { mode: 'REQUIRED' } }));
    const call = data!.chat.message.toolCalls[0]!;
    expect(call.parsedArguments).toEqual({ city: 12345, days: 'wrong type' });
    expect(call.validationErrors).toEqual(expect.arrayContaining([expect.stringMatching(/^\/city must be string/), expect.stringMatching(/^\/days must be integer/)]));
  });

  it('a JSON answer that is not JSON: parsedContent null and one validation error saying so', async () => {
    pool.sims[0]!.setFaults({ badJson: 'not-json' });
    const { data } = await post(pool.url, ChatWithToolsDocument, input({ messages: [{ role: 'USER', content: 'A film' }], responseFormat: { type: 'JSON_OBJECT' } }));
    expect(data!.chat).toMatchObject({ parsedContent: null, validationErrors: ['the content is not valid JSON'] });
  });

  it('a JSON answer that breaks its schema says where', async () => {
    pool.sims[0]!.setFaults({ badJson: 'breaks-schema' });
    const { data } = await post(pool.url, ChatWithToolsDocument, input({
      messages: [{ role: 'USER', content: 'A film' }],
      responseFormat: { type: 'JSON_SCHEMA', name: 'film', schema: ANSWER_SCHEMA },
    }));
    expect(data!.chat.parsedContent).toEqual({ title: 12345, year: 'wrong type', tags: 'wrong type' });
    expect(data!.chat.validationErrors).toEqual(expect.arrayContaining([expect.stringMatching(/^\/title must be string/)]));
  });

  describe.each(TRANSPORTS)('streamed over %s', (transport) => {
    it('a call streams as deltas: id and name once, a stable index, arguments that reassemble to the unary answer', async () => {
      const variables = input({ tools: [TIME, WEATHER], toolChoice: { function: 'get_weather' }, temperature: 0 });
      const unary = (await post(pool.url, ChatWithToolsDocument, variables)).data!.chat;
      const events = eventsOf(await subscribe(transport, pool, ChatStreamWithToolsDocument, variables));
      const calls = reassemble(events);
      expect(calls).toHaveLength(1);
      expect(calls[0]!.name).toBe('get_weather');
      // Split over several deltas, as the servers do.
      expect(events.filter((e) => e.toolCallDeltas.length > 0).length).toBeGreaterThan(2);
      expect(calls[0]!.arguments).toBe(unary.message.toolCalls[0]!.arguments);
      const last = events.at(-1)!;
      expect(last.finishReason).toBe('TOOL_CALLS');
      expect(last.toolCalls).toEqual([{ ...calls[0], parsedArguments: JSON.parse(calls[0]!.arguments), validationErrors: [] }]);
      expect(events.slice(0, -1).every((e) => e.toolCalls === null && e.finishReason === null)).toBe(true);
      // The partial arguments grow into the parsed ones.
      const partials = events.flatMap((e) => e.toolCallDeltas.map((d) => d.partialArguments));
      expect(partials.at(-1)).toEqual(last.toolCalls![0]!.parsedArguments);
      expect(last.usage?.completionTokens).toBe(unary.usage?.completionTokens);
    });

    it('a JSON answer streams its partial value, which ends as the parsed content', async () => {
      const variables = input({ messages: [{ role: 'USER', content: 'A film' }], responseFormat: { type: 'JSON_SCHEMA', name: 'film', schema: ANSWER_SCHEMA }, temperature: 0 });
      const unary = (await post(pool.url, ChatWithToolsDocument, variables)).data!.chat;
      const events = eventsOf(await subscribe(transport, pool, ChatStreamWithToolsDocument, variables));
      expect(events.map((e) => e.delta).join('')).toBe(unary.message.content);
      expect(events.at(-1)!.partialContent).toEqual(unary.parsedContent);
      const shown = events.map((e) => e.partialContent).filter((p) => p !== null);
      expect(shown.length).toBeGreaterThan(1);
      // Keys once shown stay.
      for (let i = 1; i < shown.length; i++) {
        expect(Object.keys(shown[i] as object)).toEqual(expect.arrayContaining(Object.keys(shown[i - 1] as object)));
      }
    });
  });

  it('a text stream with tools offered has no tool deltas and no partial content', async () => {
    const events = eventsOf(await subscribe('graphql-ws', pool, ChatStreamWithToolsDocument, input({ tools: [WEATHER], messages: [{ role: 'USER', content: 'Hi' }] })));
    expect(events.every((e) => e.toolCallDeltas.length === 0 && e.partialContent === null)).toBe(true);
    expect(events.at(-1)!.toolCalls).toEqual([]);
    expect(callsTo(pool.sims, ROUTES[protocol].chat)).toBeGreaterThan(0);
  });
});
