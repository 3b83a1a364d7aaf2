import { describe, expect, it } from 'vitest';
import { postJson, sseData, useSimulator } from './helpers.ts';

const start = useSimulator();

/** n four-letter words: n + 1 tokens with BOS. */
const words = (n: number): string => Array.from({ length: n }, () => 'word').join(' ');

const invalid = (detail: string): { error: string; error_type: string } => ({
  error: `Input validation error: ${detail}`,
  error_type: 'validation',
});

describe('validation on /generate (422 with TGI messages)', () => {
  const cases: [string, object, string][] = [
    ['temperature 0', { temperature: 0 }, '`temperature` must be strictly positive'],
    ['repetition_penalty 0', { repetition_penalty: 0 }, '`repetition_penalty` must be strictly positive'],
    ['frequency_penalty 2.5', { frequency_penalty: 2.5 }, '`frequency_penalty` must be >= -2.0 and <= 2.0'],
    ['top_p 1.0', { top_p: 1.0 }, '`top_p` must be > 0.0 and < 1.0'],
    ['typical_p 0', { typical_p: 0 }, '`typical_p` must be > 0.0 and < 1.0'],
    ['top_k 0', { top_k: 0 }, '`top_k` must be strictly positive'],
    ['max_new_tokens 0', { max_new_tokens: 0 }, '`max_new_tokens` must be strictly positive'],
    ['5 stop sequences', { stop: ['a', 'b', 'c', 'd', 'e'] }, '`stop` supports up to 4 stop sequences. Given: 5'],
    ['best_of without sampling', { best_of: 2 }, 'you must use sampling when `best_of` is > 1'],
    ['seed with best_of', { best_of: 2, do_sample: true, seed: 1 }, '`seed` must not be set when `best_of` > 1'],
    ['best_of over the limit', { best_of: 3, do_sample: true }, '`best_of` must be > 0 and <= 2. Given: 3'],
    ['top_n_tokens 6', { top_n_tokens: 6 }, '`top_n_tokens` must be >= 0 and <= 5. Given: 6'],
    ['truncate 0', { truncate: 0 }, '`truncate` must be strictly positive and less than 4095. Given: 0'],
    ['truncate 5000', { truncate: 5000 }, '`truncate` must be strictly positive and less than 4095. Given: 5000'],
  ];

  it.each(cases)('rejects %s', async (_name, parameters, detail) => {
    const simulator = await start();
    const response = await postJson(simulator, '/generate', { inputs: 'Hello', parameters });
    expect(response.status).toBe(422);
    expect(response.headers.get('x-compute-type')).toBeNull();
    expect(await response.json()).toEqual(invalid(detail));
  });

  it('rejects empty inputs', async () => {
    const simulator = await start();
    const response = await postJson(simulator, '/generate', { inputs: '' });
    expect(await response.json()).toEqual(invalid('`inputs` cannot be empty'));
  });

  it('checks total tokens with max_new_tokens capped at 1024 in the message', async () => {
    const simulator = await start({ maxInputTokens: 99, maxTotalTokens: 100 });
    const response = await postJson(simulator, '/generate', { inputs: words(40), parameters: { max_new_tokens: 2000 } });
    expect(await response.json()).toEqual(
      invalid('`inputs` tokens + `max_new_tokens` must be <= 100. Given: 41 `inputs` tokens and 1024 `max_new_tokens`'),
    );
  });

  it('checks the input length after the total, so an omitted max_new_tokens reaches it', async () => {
    const simulator = await start({ maxInputTokens: 9, maxTotalTokens: 100 });
    const response = await postJson(simulator, '/generate', { inputs: words(20) });
    expect(await response.json()).toEqual(invalid('`inputs` must have less than 9 tokens. Given: 21'));
  });

  it('counts the prompt after truncation', async () => {
    const simulator = await start({ maxInputTokens: 9, maxTotalTokens: 100 });
    const response = await postJson(simulator, '/generate', { inputs: words(20), parameters: { truncate: 5, max_new_tokens: 1 } });
    expect(response.status).toBe(200);
  });

  it('checks temperature before top_p', async () => {
    const simulator = await start();
    const response = await postJson(simulator, '/generate', { inputs: 'Hi', parameters: { top_p: 2, temperature: -1 } });
    expect(await response.json()).toEqual(invalid('`temperature` must be strictly positive'));
  });

  it('answers 429 overloaded rather than 422 when no permit is free', async () => {
    const simulator = await start({ faults: { overloaded: true } });
    const response = await postJson(simulator, '/generate', { inputs: '', parameters: { temperature: 0 } });
    expect(response.status).toBe(429);
    expect(await response.json()).toEqual({ error: 'Model is overloaded', error_type: 'overloaded' });
  });

  it('checks the best_of limit before the permit', async () => {
    const simulator = await start({ faults: { overloaded: true } });
    const response = await postJson(simulator, '/generate', { inputs: 'Hi', parameters: { best_of: 3 } });
    expect(await response.json()).toEqual(invalid('`best_of` must be > 0 and <= 2. Given: 3'));
  });

  it('refuses best_of entirely when the server allows only 1', async () => {
    const simulator = await start({ maxBestOf: 1 });
    const response = await postJson(simulator, '/generate', { inputs: 'Hi', parameters: { best_of: 2 } });
    expect(await response.json()).toEqual(invalid('`best_of` != 1 is not allowed for this endpoint'));
  });
});

describe('validation on /generate_stream (in-band, HTTP 200)', () => {
  it('sends the validation error as the one and only event', async () => {
    const simulator = await start();
    const response = await postJson(simulator, '/generate_stream', { inputs: 'Hi', parameters: { top_p: 1.0 } });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(
      'data: {"error":"Input validation error: `top_p` must be > 0.0 and < 1.0","error_type":"validation"}\n\n',
    );
  });

  it('rejects best_of != 1, even 0, before anything else', async () => {
    const simulator = await start({ faults: { overloaded: true } });
    const response = await postJson(simulator, '/generate_stream', { inputs: '', parameters: { best_of: 0 } });
    expect(sseData(await response.text())).toEqual([invalid('`best_of` != 1 is not supported when streaming tokens')]);
  });

  it('rejects decoder_input_details', async () => {
    const simulator = await start();
    const response = await postJson(simulator, '/generate_stream', { inputs: 'Hi', parameters: { decoder_input_details: true } });
    expect(sseData(await response.text())).toEqual([
      invalid('`decoder_input_details` == true is not supported when streaming tokens'),
    ]);
  });

  it('sends overloaded in-band and never 429', async () => {
    const simulator = await start({ faults: { overloaded: true } });
    const response = await postJson(simulator, '/generate_stream', { inputs: 'Hi' });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('data: {"error":"Model is overloaded","error_type":"overloaded"}\n\n');
  });
});

describe('rejections before TGI handlers (text/plain)', () => {
  it('answers 415 without a JSON content type', async () => {
    const simulator = await start();
    const response = await fetch(`${simulator.url}/generate`, { method: 'POST', body: '{"inputs":"x"}' });
    expect(response.status).toBe(415);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await response.text()).toBe('Expected request with `Content-Type: application/json`');
  });

  it('answers 400 on malformed JSON', async () => {
    const simulator = await start();
    const response = await postJson(simulator, '/generate', '{"inputs": ');
    expect(response.status).toBe(400);
    expect(await response.text()).toBe('Failed to parse the request body as JSON: EOF while parsing a value at line 1 column 11');
  });

  it.each([
    ['a missing inputs', { parameters: {} }, 'missing field `inputs`'],
    ['a string stop', { inputs: 'x', parameters: { stop: 'x' } }, 'parameters.stop: invalid type: string "x", expected a sequence'],
    ['a null stop', { inputs: 'x', parameters: { stop: null } }, 'parameters.stop: invalid type: null, expected a sequence'],
    ['null parameters', { inputs: 'x', parameters: null }, 'parameters: invalid type: null, expected struct GenerateParameters'],
    ['a null bool', { inputs: 'x', parameters: { details: null } }, 'parameters.details: invalid type: null, expected a boolean'],
    ['a float u32', { inputs: 'x', parameters: { max_new_tokens: 1.5 } }, 'parameters.max_new_tokens: invalid type: floating point `1.5`, expected u32'],
  ])('answers 422 on %s', async (_name, body, detail) => {
    const simulator = await start();
    const response = await postJson(simulator, '/generate_stream', body);
    expect(response.status).toBe(422);
    expect(await response.text()).toBe(`Failed to deserialize the JSON body into the target type: ${detail}`);
  });

  it('ignores unknown fields', async () => {
    const simulator = await start();
    const response = await postJson(simulator, '/generate', { inputs: 'x', extra: 1, parameters: { max_new_tokens: 1, nope: true } });
    expect(response.status).toBe(200);
  });

  it('answers 413 above 2,000,000 bytes', async () => {
    const simulator = await start();
    const response = await postJson(simulator, '/generate', { inputs: 'x'.repeat(2_000_001) });
    expect(response.status).toBe(413);
    expect(await response.text()).toBe('Failed to buffer the request body: length limit exceeded');
  });
});
