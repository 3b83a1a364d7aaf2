import { describe, expect, it } from 'vitest';
import { inBandError, parseErrorResponse } from '../../../../src/upstream/openai-wire/errors.ts';
import { parseCompletionResponse, parseModels, parseProps } from '../../../../src/upstream/openai/parse.ts';
import { UpstreamError } from '../../../../src/upstream/errors.ts';
import { example } from '../tgi/examples.ts';

const failureOf = (error: unknown) => (error as UpstreamError).failure;

describe('parseErrorResponse', () => {
  it.each([
    [400, { error: { message: 'max_tokens is too large', type: 'BadRequestError', param: 'max_tokens', code: 400 } }, 'validation', 'max_tokens is too large'],
    [422, { detail: [{ loc: ['body', 'messages'], msg: 'Field required', type: 'missing' }] }, 'validation', 'Field required'],
    [400, { object: 'error', message: 'old vLLM', type: 'BadRequestError', param: null, code: 400 }, 'validation', 'old vLLM'],
    [429, { error: { message: 'Too many requests', type: 'rate_limit_error', code: 429 } }, 'overloaded', 'Too many requests'],
    [503, { error: { code: 503, message: 'Loading model', type: 'unavailable_error' } }, null, 'Loading model'],
    [401, { error: 'Unauthorized' }, null, 'Unauthorized'],
    [404, { detail: 'Not Found' }, null, 'Not Found'],
    [404, { error: { message: 'The model `x` does not exist.', type: 'NotFoundError', param: 'model', code: 404 } }, null, 'The model `x` does not exist.'],
    [500, { error: { message: 'boom', type: 'InternalServerError', code: 500 } }, null, 'boom'],
  ])('reads HTTP %i %j', (status, body, errorType, message) => {
    expect(failureOf(parseErrorResponse(status, JSON.stringify(body), null))).toEqual({ kind: 'http', status, errorType, message, retryAfterSeconds: null });
  });

  it('keeps no text of a body that is not a JSON error (a proxy page may name hosts)', () => {
    expect(failureOf(parseErrorResponse(502, '<html>bad gateway at 10.0.0.7</html>', null))).toMatchObject({ message: 'status 502', errorType: null });
    expect(failureOf(parseErrorResponse(404, '404 page not found', null))).toMatchObject({ message: 'status 404' });
    expect(failureOf(parseErrorResponse(500, '{"something":"else"}', null))).toMatchObject({ message: 'status 500' });
  });

  it('carries Retry-After and bounds the message', () => {
    const failure = failureOf(parseErrorResponse(429, JSON.stringify({ error: { message: 'x'.repeat(5000) } }), 3));
    expect(failure).toMatchObject({ retryAfterSeconds: 3, errorType: 'overloaded' });
    expect((failure as { message: string }).message.length).toBeLessThanOrEqual(1001);
  });
});

describe('inBandError', () => {
  it('is null for an ordinary chunk', () => {
    expect(inBandError({ choices: [] })).toBeNull();
    expect(inBandError({ choices: [], error: null })).toBeNull();
  });
});

describe('parseCompletionResponse', () => {
  it('reads the fixture, with its usage', () => {
    expect(parseCompletionResponse(example('completions-response.json'))).toEqual({
      generatedText: ' Deep learning is a subset',
      details: { finishReason: 'LENGTH', generatedTokens: 5, seed: null },
      usage: { promptTokens: 6, completionTokens: 5, totalTokens: 11 },
    });
  });

  it('puts the prefix before the text, and reads a stop string', () => {
    const body = { choices: [{ index: 0, text: ' x', finish_reason: 'stop', stop_reason: '\n' }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } };
    expect(parseCompletionResponse(JSON.stringify(body), 'Q:')).toMatchObject({ generatedText: 'Q: x', details: { finishReason: 'STOP_SEQUENCE' } });
  });

  it('is a protocol failure when malformed, and in-band for an error body with status 200', () => {
    expect(failureOf(catching(() => parseCompletionResponse('{"choices":[]}')))).toMatchObject({ kind: 'protocol' });
    expect(failureOf(catching(() => parseCompletionResponse('{"choices":[{"text":"a","finish_reason":"stop"}],"usage":{"prompt_tokens":"x"}}')))).toMatchObject({ kind: 'protocol', detail: 'malformed usage' });
    expect(failureOf(catching(() => parseCompletionResponse('{"error":{"message":"m","code":400}}')))).toMatchObject({ kind: 'in-band', errorType: 'validation' });
  });
});

function catching(f: () => unknown): unknown {
  try {
    f();
  } catch (error) {
    return error;
  }
  throw new Error('did not throw');
}

describe('parseModels', () => {
  it('reads the fixture: the first id, and no limit it does not say', () => {
    expect(parseModels(example('models.json'))).toEqual({ modelId: 'meta-llama/Llama-3.1-8B-Instruct' });
  });

  it("reads vLLM's max_model_len", () => {
    const list = {
      object: 'list',
      data: [
        { id: 'Qwen/Qwen2.5-0.5B-Instruct', object: 'model', created: 1, owned_by: 'vllm', root: 'Qwen/Qwen2.5-0.5B-Instruct', parent: null, max_model_len: 32768, permission: [] },
        { id: 'my-lora', object: 'model', owned_by: 'vllm', root: '/adapters/my-lora', parent: 'Qwen/Qwen2.5-0.5B-Instruct', max_model_len: 32768 },
      ],
    };
    expect(parseModels(JSON.stringify(list))).toEqual({ modelId: 'Qwen/Qwen2.5-0.5B-Instruct', maxTotalTokens: 32768, maxInputTokens: 32767 });
    expect(parseModels(JSON.stringify(list), 'my-lora')).toMatchObject({ modelId: 'my-lora', maxTotalTokens: 32768 });
  });

  it("reads llama.cpp's serving context (meta.n_ctx), never its training context, and takes Ollama's bare list as unknown limits", () => {
    const llama = { object: 'list', data: [{ id: 'model.gguf', object: 'model', owned_by: 'llamacpp', meta: { n_ctx_train: 131072, n_ctx: 4096, n_vocab: 128256 } }] };
    expect(parseModels(JSON.stringify(llama))).toMatchObject({ maxTotalTokens: 4096, maxInputTokens: 4095 });
    const older = { object: 'list', data: [{ id: 'model.gguf', object: 'model', owned_by: 'llamacpp', meta: { n_ctx_train: 131072 } }] };
    expect(parseModels(JSON.stringify(older))).toEqual({ modelId: 'model.gguf' });
    const ollama = { object: 'list', data: [{ id: 'llama3.2:latest', object: 'model', created: 1, owned_by: 'library' }] };
    expect(parseModels(JSON.stringify(ollama))).toEqual({ modelId: 'llama3.2:latest' });
  });

  it("reads llama.cpp's /props: a slot's context and the slots", () => {
    const props = { default_generation_settings: { n_ctx: 2048, temperature: 0.8 }, total_slots: 2, model_path: 'm.gguf' };
    expect(parseProps(JSON.stringify(props))).toEqual({ context: 2048, slots: 2 });
    expect(parseProps('{"total_slots":0}')).toEqual({});
  });

  it('keeps a configured name the list does not hold, with unknown limits', () => {
    expect(parseModels(JSON.stringify({ object: 'list', data: [] }), 'x')).toEqual({ modelId: 'x' });
  });

  it('is a protocol failure when no model is named', () => {
    expect(failureOf(catching(() => parseModels('{"object":"list","data":[]}')))).toMatchObject({ kind: 'protocol' });
    expect(failureOf(catching(() => parseModels('{"object":"list"}')))).toMatchObject({ kind: 'protocol' });
  });
});
