import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../../../../src/upstream/errors.ts';
import type { UpstreamFailure } from '../../../../src/upstream/errors.ts';
import { parseErrorResponse, parseGenerateResponse, parseInfo, parseStreamData } from '../../../../src/upstream/tgi/parse.ts';
import { example } from './examples.ts';
import { retryAfterSeconds } from '../../../../src/upstream/http.ts';

/** The failure `parse` throws; fails the test when it throws nothing or something else. */
function failureOf(parse: () => unknown): UpstreamFailure {
  try {
    parse();
  } catch (error) {
    if (error instanceof UpstreamError) return error.failure;
    throw error;
  }
  throw new Error('expected an UpstreamError');
}

const DEEP = { id: 18682, text: ' Deep', logprob: -0.21875, special: false };

describe('parseStreamData', () => {
  it('reads a token event', () => {
    expect(parseStreamData(example('stream-token-event.json'))).toEqual({ index: 1, token: DEEP, generatedText: null, details: null });
  });

  it('ignores top_tokens on a token event', () => {
    expect(parseStreamData(example('stream-token-event-top-tokens.json'))).toEqual({
      index: 1,
      token: DEEP,
      generatedText: null,
      details: null,
    });
  });

  it('reads the final event with its text and details, the seed as decimal text', () => {
    expect(parseStreamData(example('stream-final-event.json'))).toEqual({
      index: 5,
      token: { id: 27084, text: ' subset', logprob: -0.85742188, special: false },
      generatedText: ' Deep learning is a subset',
      details: { finishReason: 'LENGTH', generatedTokens: 5, seed: '42' },
      usage: { promptTokens: 6, completionTokens: 5, totalTokens: 11 },
    });
  });

  it('reads a final EOS event sent without details', () => {
    expect(parseStreamData(example('stream-final-event-eos-no-details.json'))).toEqual({
      index: 12,
      token: { id: 128009, text: '<|eot_id|>', logprob: -0.0078125, special: true },
      generatedText: ' Deep learning is a subset of machine learning.',
      details: null,
      usage: null,
    });
  });

  it('maps each finish reason and a null seed', () => {
    const final = (reason: string) =>
      `{"index":1,"token":{"id":1,"text":"a","logprob":null,"special":false},"generated_text":"a",` +
      `"details":{"finish_reason":"${reason}","generated_tokens":1,"seed":null}}`;
    expect(parseStreamData(final('length')).details).toEqual({ finishReason: 'LENGTH', generatedTokens: 1, seed: null });
    expect(parseStreamData(final('eos_token')).details?.finishReason).toBe('EOS_TOKEN');
    expect(parseStreamData(final('stop_sequence')).details?.finishReason).toBe('STOP_SEQUENCE');
    expect(parseStreamData(final('length')).token.logprob).toBeNull();
  });

  it('keeps a u64 seed above 2^53 exactly', () => {
    const data =
      '{"index":1,"token":{"id":1,"text":"a","logprob":-1,"special":false},"generated_text":"a",' +
      '"details":{"finish_reason":"length","generated_tokens":1,"seed":18446744073709551615,"input_length":1}}';
    expect(parseStreamData(data).details?.seed).toBe('18446744073709551615');
  });

  it('throws the in-band error event as kind "in-band" with its type and message', () => {
    expect(failureOf(() => parseStreamData(example('stream-error-event.json')))).toEqual({
      kind: 'in-band',
      errorType: 'generation',
      message: 'Request failed during generation: Server error: CUDA out of memory. Tried to allocate 2.00 GiB',
    });
  });

  it('reads an error event without error_type as type "unknown"', () => {
    expect(failureOf(() => parseStreamData('{"error":"boom"}'))).toEqual({ kind: 'in-band', errorType: 'unknown', message: 'boom' });
  });

  it.each([
    ['not JSON', 'data'],
    ['a JSON scalar', '42'],
    ['JSON null', 'null'],
    ['an OpenAI-style error object', '{"error":{"message":"x","http_status_code":422}}'],
    ['an event without index', '{"token":{"id":1,"text":"a","logprob":-1,"special":false},"generated_text":null,"details":null}'],
    ['an event without token', '{"index":1,"generated_text":null,"details":null}'],
    ['a token with a string id', '{"index":1,"token":{"id":"1","text":"a","logprob":-1,"special":false},"generated_text":null}'],
    ['a token without special', '{"index":1,"token":{"id":1,"text":"a","logprob":-1},"generated_text":null}'],
    ['a token with a string logprob', '{"index":1,"token":{"id":1,"text":"a","logprob":"-1","special":false},"generated_text":null}'],
    ['a numeric generated_text', '{"index":1,"token":{"id":1,"text":"a","logprob":-1,"special":false},"generated_text":7}'],
    [
      'details with an unknown finish reason',
      '{"index":1,"token":{"id":1,"text":"a","logprob":-1,"special":false},"generated_text":"a","details":{"finish_reason":"done","generated_tokens":1,"seed":null}}',
    ],
    [
      'details without generated_tokens',
      '{"index":1,"token":{"id":1,"text":"a","logprob":-1,"special":false},"generated_text":"a","details":{"finish_reason":"length","seed":null}}',
    ],
  ])('throws kind "protocol" for %s', (_what, data) => {
    expect(failureOf(() => parseStreamData(data)).kind).toBe('protocol');
  });
});

describe('parseGenerateResponse', () => {
  it('reads a /generate body with details', () => {
    expect(parseGenerateResponse(example('generate-response.json'))).toEqual({
      generatedText: ' Deep learning is a subset',
      details: { finishReason: 'LENGTH', generatedTokens: 5, seed: '42' },
    });
  });

  it('reads a greedy answer (null seed) with prefill and top tokens', () => {
    expect(parseGenerateResponse(example('generate-response-prefill-top-tokens.json'))).toEqual({
      generatedText: ' Deep learning',
      details: { finishReason: 'LENGTH', generatedTokens: 2, seed: null },
    });
  });

  it('keeps a u64 seed above 2^53 exactly', () => {
    const text = '{"generated_text":"a","details":{"finish_reason":"eos_token","generated_tokens":1,"seed": 9007199254740993,"prefill":[],"tokens":[]}}';
    expect(parseGenerateResponse(text).details.seed).toBe('9007199254740993');
  });

  it('throws kind "protocol" for a body without details, which the gateway always asks for', () => {
    expect(failureOf(() => parseGenerateResponse(example('generate-response-no-details.json'))).kind).toBe('protocol');
  });

  it.each([
    ['not JSON', '<html>'],
    ['without generated_text', '{"details":{"finish_reason":"length","generated_tokens":1,"seed":null}}'],
    ['the compat route\'s array', example('compat-response.json')],
  ])('throws kind "protocol" for a body %s', (_what, text) => {
    expect(failureOf(() => parseGenerateResponse(text)).kind).toBe('protocol');
  });
});

describe('parseErrorResponse', () => {
  it.each([
    [422, 'error-validation.json', 'validation', 'Input validation error: `temperature` must be strictly positive'],
    [429, 'error-overloaded.json', 'overloaded', 'Model is overloaded'],
    [424, 'error-generation.json', 'generation', 'Request failed during generation: Server error: CUDA out of memory. Tried to allocate 2.00 GiB'],
    [500, 'error-incomplete-generation.json', 'incomplete_generation', 'Incomplete generation'],
    [503, 'error-unhealthy.json', 'healthcheck', 'unhealthy'],
    [422, 'error-template.json', 'template_error', 'Template error: template not found'],
  ])('reads TGI\'s JSON error body of a %i (%s)', (status, file, errorType, message) => {
    const error = parseErrorResponse(status, example(file), null);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error.failure).toEqual({ kind: 'http', status, errorType, message, retryAfterSeconds: null });
  });

  it('keeps only the status of a body that is not TGI\'s JSON (axum\'s text, a proxy\'s page naming hosts)', () => {
    const text = 'Failed to deserialize the JSON body into the target type: missing field `inputs` at line 1 column 2';
    expect(parseErrorResponse(422, text, null).failure).toEqual({ kind: 'http', status: 422, errorType: null, message: 'status 422', retryAfterSeconds: null });
    const html = `<html>upstream gpu7.internal:8080 failed</html>`;
    expect(parseErrorResponse(502, html, null).failure).toMatchObject({ kind: 'http', status: 502, errorType: null, message: 'status 502' });
  });

  it('says the status when the body is empty', () => {
    expect(parseErrorResponse(401, '', null).failure).toMatchObject({ kind: 'http', status: 401, message: 'status 401' });
  });

  it('treats JSON that is not TGI\'s error shape like any other body', () => {
    const text = '{"error":{"message":"nope","http_status_code":422}}';
    expect(parseErrorResponse(422, text, null).failure).toMatchObject({ errorType: null, message: 'status 422' });
  });

  it.each([
    ['2', 2],
    ['0', 0],
    [' 7 ', 7],
    ['120', 120],
    ['Wed, 21 Oct 2026 07:28:00 GMT', null],
    ['1.5', null],
    ['-1', null],
    ['', null],
    ['soon', null],
  ])('reads Retry-After %j as %s seconds', (header, seconds) => {
    expect(parseErrorResponse(429, example('error-overloaded.json'), retryAfterSeconds({ 'retry-after': header })).failure).toMatchObject({ retryAfterSeconds: seconds });
  });

  it('has no retry-after without the header', () => {
    expect(parseErrorResponse(429, example('error-overloaded.json'), null).failure).toMatchObject({ retryAfterSeconds: null });
  });
});

describe('parseInfo', () => {
  it('reads the v3 /info limits', () => {
    expect(parseInfo(example('info.json'))).toEqual({
      modelId: 'meta-llama/Llama-3.1-8B-Instruct',
      maxConcurrentRequests: 128,
      maxStopSequences: 4,
      maxInputTokens: 8191,
      maxTotalTokens: 8192,
    });
  });

  it('reads the v2.0 /info, whose prompt limit is max_input_length', () => {
    expect(parseInfo(example('info-legacy-v2.0.json'))).toEqual({
      modelId: 'bigscience/bloom-560m',
      maxConcurrentRequests: 128,
      maxStopSequences: 4,
      maxInputTokens: 1024,
      maxTotalTokens: 2048,
    });
  });

  const v3 = JSON.parse(example('info.json')) as Record<string, unknown>;
  it.each([
    ['not JSON', 'ok'],
    ['a JSON array', '[]'],
    ['without model_id', JSON.stringify({ ...v3, model_id: undefined })],
    ['without any prompt limit', JSON.stringify({ ...v3, max_input_tokens: undefined })],
    ['without max_total_tokens', JSON.stringify({ ...v3, max_total_tokens: undefined })],
    ['with a limit as a string', JSON.stringify({ ...v3, max_stop_sequences: '4' })],
    ['with a fractional limit', JSON.stringify({ ...v3, max_total_tokens: 8192.5 })],
    ['with a null limit', JSON.stringify({ ...v3, max_concurrent_requests: null })],
  ])('throws kind "protocol" for an /info %s', (_what, text) => {
    expect(failureOf(() => parseInfo(text)).kind).toBe('protocol');
  });
});
