// Tool calls and structured output on the OpenAI-shaped chat route, as each
// server writes them: the request's fields, and calls read back from answers
// and streams (vLLM's deltas, TGI's, which state no finish reason after a
// call and, before 3.x, sent one object instead of a list).
import { describe, expect, it } from 'vitest';
import { buildChatRequest, decodeChatStream, parseChatResponse } from '../../../../src/upstream/openai-wire/chat.ts';
import { buildTgiChatRequest, decodeTgiChatStream } from '../../../../src/upstream/tgi/chat.ts';
import type { ChatRequest } from '../../../../src/upstream/types.ts';
import { body, drain, sse } from '../openai/streams.ts';

const SCHEMA = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
const REQUEST: ChatRequest = {
  messages: [
    { role: 'user', content: 'Weather in Paris?' },
    { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }] },
    { role: 'tool', content: 'sunny', toolCallId: 'call_1' },
  ],
  parameters: {},
  tools: [{ name: 'get_weather', description: 'The weather.', parameters: SCHEMA }, { name: 'ping' }],
  toolChoice: { function: 'get_weather' },
  parallelToolCalls: false,
  responseFormat: { type: 'json_schema', name: 'weather', schema: SCHEMA },
};

const choice = (delta: object, finish: string | null = null) => ({ object: 'chat.completion.chunk', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
const usage = { object: 'chat.completion.chunk', choices: [], usage: { prompt_tokens: 9, completion_tokens: 4, total_tokens: 13 } };
const decode = (...chunks: (object | string)[]) => drain(decodeChatStream(body(sse(chunks))));

describe('the request', () => {
  it("OpenAI's fields: tools, tool_choice, parallel_tool_calls, response_format json_schema, and the conversation's calls and results", () => {
    const wire = buildChatRequest('m', REQUEST, { stream: false });
    expect(wire.messages).toEqual([
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
      { role: 'tool', content: 'sunny', tool_call_id: 'call_1' },
    ]);
    expect(wire).toMatchObject({
      tools: [{ type: 'function', function: { name: 'get_weather', description: 'The weather.', parameters: SCHEMA } }, { type: 'function', function: { name: 'ping' } }],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      parallel_tool_calls: false,
      response_format: { type: 'json_schema', json_schema: { name: 'weather', schema: SCHEMA } },
    });
    expect(buildChatRequest('m', { ...REQUEST, responseFormat: { type: 'json_object' } }, { stream: false }).response_format).toEqual({ type: 'json_object' });
    expect(buildChatRequest('m', { messages: [], parameters: {}, responseFormat: { type: 'text' } }, { stream: false })).not.toHaveProperty('response_format');
    // NONE without tools is no tools: vLLM refuses a tool_choice without them.
    expect(buildChatRequest('m', { messages: [], parameters: {}, toolChoice: { mode: 'none' } }, { stream: false })).not.toHaveProperty('tool_choice');
  });

  it("TGI's grammar for a JSON answer: {type: json, value: schema}", () => {
    expect(buildTgiChatRequest({ ...REQUEST, tools: undefined, toolChoice: undefined }, { stream: true }).response_format).toEqual({ type: 'json', value: SCHEMA });
    expect(buildTgiChatRequest({ messages: [], parameters: {}, responseFormat: { type: 'json_object' } }, { stream: true }).response_format).toEqual({ type: 'json', value: { type: 'object' } });
  });
});

describe('calls read back', () => {
  it("a unary answer's calls, arguments as text even when the server sent an object", () => {
    const answer = (args: unknown) => JSON.stringify({ choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: args } }] }, finish_reason: 'tool_calls' }] });
    expect(parseChatResponse(answer('{"a":1}')).toolCalls).toEqual([{ id: 'c', name: 'f', arguments: '{"a":1}' }]);
    expect(parseChatResponse(answer({ a: 1 })).toolCalls).toEqual([{ id: 'c', name: 'f', arguments: '{"a":1}' }]);
  });

  it("vLLM's stream: id and name, argument pieces, finish tool_calls, usage", async () => {
    const { events } = await decode(
      choice({ role: 'assistant', content: '' }),
      choice({ tool_calls: [{ id: 'chatcmpl-tool-1', type: 'function', index: 0, function: { name: 'get_weather' } }] }),
      choice({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
      choice({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }),
      choice({}, 'tool_calls'),
      usage,
      '[DONE]',
    );
    expect(events.map((e) => e.toolCallDeltas)).toEqual([
      [{ index: 0, id: 'chatcmpl-tool-1', name: 'get_weather', argumentsDelta: '' }],
      [{ index: 0, argumentsDelta: '{"city":' }],
      [{ index: 0, argumentsDelta: '"Paris"}' }],
      [],
    ]);
    expect(events.at(-1)).toMatchObject({ finishReason: 'TOOL_CALLS', usage: { completionTokens: 4 } });
  });

  it("TGI's stream: an empty id, the name first, no finish reason after the call; the end is whole at [DONE]", async () => {
    const piece = (name: string | null, args: string) => choice({ role: 'assistant', tool_calls: [{ index: 0, id: '', type: 'function', function: { name, arguments: args } }] });
    const { events } = await decode(piece('get_weather', '{"city"'), piece(null, ':"Paris"}'), usage, '[DONE]');
    expect(events.map((e) => e.toolCallDeltas)).toEqual([
      [{ index: 0, name: 'get_weather', argumentsDelta: '{"city"' }],
      [{ index: 0, argumentsDelta: ':"Paris"}' }],
      [],
    ]);
    expect(events.at(-1)).toMatchObject({ finishReason: 'TOOL_CALLS', usage: { promptTokens: 9 } });
    expect((await decode(piece('f', '{}'), '[DONE]')).events.at(-1)).toMatchObject({ finishReason: 'TOOL_CALLS', usage: null });
  });

  it('TGI 3 repeats one id ("0") on every piece: the TGI adapter drops it, and the gateway makes one', async () => {
    const piece = (name: string | null, args: string) => choice({ role: 'assistant', tool_calls: [{ index: 0, id: '0', type: 'function', function: { name, arguments: args } }] });
    const { events } = await drain(decodeTgiChatStream(body(sse([piece('f', '{'), piece(null, '}'), '[DONE]'])), { messages: [], parameters: {} }));
    expect(events.map((e) => e.toolCallDeltas)).toEqual([[{ index: 0, name: 'f', argumentsDelta: '{' }], [{ index: 0, argumentsDelta: '}' }], []]);
  });

  it('TGI 2.x sent one call object instead of a list', async () => {
    const { events } = await decode(choice({ role: 'assistant', tool_calls: { index: 0, id: '', type: 'function', function: { name: 'f', arguments: '{}' } } }), '[DONE]');
    expect(events[0]!.toolCallDeltas).toEqual([{ index: 0, name: 'f', argumentsDelta: '{}' }]);
  });

  it('a text stream that ends without a finish reason was still cut off', async () => {
    expect((await decode(choice({ content: 'a' }), '[DONE]')).failure).toMatchObject({ kind: 'broken' });
  });
});
