// OpenAI request bodies read onto the generation service's inputs: OpenAI's
// names mapped, only what the client set passed on, and what the gateway does
// not relay refused naming the field as the client wrote it.
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../../src/errors.ts';
import { readChatRequest } from '../../../../src/transport/v1/chat-request.ts';
import { readCompletionRequest } from '../../../../src/transport/v1/completion-request.ts';
import { OpenAIError, toOpenAIError } from '../../../../src/transport/v1/errors.ts';

const refusal = (read: () => unknown) => {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(OpenAIError);
    const { status, param, code } = error as OpenAIError;
    return { status, param, code };
  }
  throw new Error('expected a refusal');
};

describe('a chat completions body', () => {
  it('maps OpenAI names onto ChatInput, passing on only the fields set', () => {
    const request = readChatRequest({
      model: 'm', messages: [{ role: 'developer', content: 'Be brief.' }, { role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] }, { role: 'assistant', content: null }],
      max_tokens: 5, max_completion_tokens: 7, top_p: 0.5, stop: 'END', seed: 3n, presence_penalty: null, user: 'u-1', store: true, n: 1,
      stream: true, stream_options: { include_usage: true },
    });
    expect(request).toEqual({
      input: {
        modelId: 'm',
        messages: [{ role: 'SYSTEM', content: 'Be brief.' }, { role: 'USER', content: 'a\nb' }, { role: 'ASSISTANT', content: '' }],
        maxTokens: 7, topP: 0.5, stop: ['END'], seed: 3n,
      },
      stream: true,
      includeUsage: true,
    });
  });

  it.each([
    [{ n: 2 }, 'n'],
    [{ n: 0 }, 'n'],
    [{ logprobs: true }, 'logprobs'],
    [{ top_logprobs: 3 }, 'top_logprobs'],
    [{ modalities: ['text', 'audio'] }, 'modalities'],
    [{ logit_bias: { 50256: -100 } }, 'logit_bias'],
    [{ functions: [{ name: 'f' }] }, 'functions'],
    [{ function_call: { name: 'f' } }, 'function_call'],
  ])('refuses %j by name', (extra, param) => {
    expect(refusal(() => readChatRequest({ model: 'm', messages: [{ role: 'user', content: 'hi' }], ...extra }))).toEqual({ status: 400, param, code: 'unsupported_parameter' });
  });

  it('lets fields that ask for nothing pass: n 1, logprobs false, empty tools, text format, tool_choice none', () => {
    expect(() => readChatRequest({ model: 'm', messages: [], n: 1, logprobs: false, tools: [], response_format: { type: 'text' }, tool_choice: 'none', logit_bias: {} })).not.toThrow();
  });

  it("reads OpenAI's tools, tool choice, response format, and earlier calls and results onto the service's fields", () => {
    const parameters = { type: 'object', properties: { city: { type: 'string' } } };
    const { input } = readChatRequest({
      model: 'm',
      messages: [
        { role: 'user', content: 'weather?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
        { role: 'tool', content: 'sunny', tool_call_id: 'c1' },
      ],
      tools: [{ type: 'function', function: { name: 'get_weather', description: 'The weather.', parameters } }, { type: 'function', function: { name: 'get_time' } }],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      parallel_tool_calls: false,
      response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' }, strict: true } },
    });
    expect(input).toMatchObject({
      messages: [
        { role: 'USER', content: 'weather?' },
        { role: 'ASSISTANT', content: '', toolCalls: [{ id: 'c1', name: 'get_weather', arguments: '{"city":"Paris"}' }] },
        { role: 'TOOL', content: 'sunny', toolCallId: 'c1' },
      ],
      tools: [{ name: 'get_weather', description: 'The weather.', parameters }, { name: 'get_time', description: null, parameters: null }],
      toolChoice: { function: 'get_weather' },
      parallelToolCalls: false,
      responseFormat: { type: 'JSON_SCHEMA', name: 'answer', schema: { type: 'object' } },
    });
    expect(readChatRequest({ model: 'm', messages: [], tool_choice: 'required', response_format: { type: 'json_object' } }).input).toMatchObject({ toolChoice: { mode: 'REQUIRED' }, responseFormat: { type: 'JSON_OBJECT' } });
  });

  it('names the JSON path of a field of the wrong kind', () => {
    expect(refusal(() => readChatRequest({ model: 'm', messages: [{ role: 'user', content: 5 }] }))).toMatchObject({ param: 'messages[0].content', code: 'invalid_value' });
    expect(refusal(() => readChatRequest({ model: 'm', messages: [{ role: 'robot', content: 'x' }] }))).toMatchObject({ param: 'messages[0].role' });
    expect(refusal(() => readChatRequest({ messages: [] }))).toMatchObject({ param: 'model' });
    expect(refusal(() => readChatRequest([]))).toMatchObject({ param: 'body' });
    expect(refusal(() => readChatRequest({ model: 'm', messages: [], tools: [{ type: 'web_search' }] }))).toMatchObject({ param: 'tools[0].type' });
    expect(refusal(() => readChatRequest({ model: 'm', messages: [{ role: 'assistant', tool_calls: [{ id: 'a', function: { name: 'f', arguments: {} } }] }] }))).toMatchObject({ param: 'messages[0].tool_calls[0].function.arguments' });
  });
});

describe('a completions body', () => {
  it("maps onto GenerateInput with OpenAI's default of 16 tokens; echo asks the server for the full text only when unary", () => {
    expect(readCompletionRequest({ model: 'm', prompt: 'p', echo: true })).toEqual({ input: { modelId: 'm', prompt: 'p', maxNewTokens: 16, returnFullText: true }, stream: false, includeUsage: false, echo: true });
    expect(readCompletionRequest({ model: 'm', prompt: 'p', echo: true, stream: true, max_tokens: 3 }).input).toEqual({ modelId: 'm', prompt: 'p', maxNewTokens: 3 });
  });

  it.each([[{ best_of: 3 }, 'best_of'], [{ suffix: 's' }, 'suffix'], [{ presence_penalty: 1 }, 'presence_penalty'], [{ logprobs: 0 }, 'logprobs']])('refuses %j by name', (extra, param) => {
    expect(refusal(() => readCompletionRequest({ model: 'm', prompt: 'p', ...extra }))).toMatchObject({ param, code: 'unsupported_parameter' });
  });
});

describe("the gateway's errors in OpenAI's terms", () => {
  it('bad input is 400 naming the field under its OpenAI name, in the message too', () => {
    const error = toOpenAIError(new GatewayError('BAD_USER_INPUT', 'maxTokens must be strictly positive', { field: 'maxTokens' }));
    expect(error.body).toEqual({ error: { message: 'max_tokens must be strictly positive', type: 'invalid_request_error', param: 'max_tokens', code: 'invalid_value' } });
    expect(error.status).toBe(400);
  });

  it('a rate limit is 429 with its retry time; anything unknown is a masked 500', () => {
    expect(toOpenAIError(new GatewayError('RATE_LIMITED', 'slow down', { retryAfterSeconds: 7 }))).toMatchObject({ status: 429, code: 'rate_limit_exceeded', retryAfterSeconds: 7 });
    expect(toOpenAIError(new Error('secret at /srv/x.ts:1')).body.error).toEqual({ message: 'Unexpected error.', type: 'server_error', param: null, code: 'internal_error' });
  });
});
