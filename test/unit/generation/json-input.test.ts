// A JSON body in a client's own field names (REST's snake_case), read through
// the one input schema: the names change, the rules do not.
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../src/errors.ts';
import { GenerateInputSchema, INPUT_DEFAULTS } from '../../../src/generation/input.ts';
import { exactSeeds, jsonInputReader, parseWithExactSeeds } from '../../../src/generation/json-input.ts';
import { snakeCase } from '../../../src/lib/names.ts';

const read = jsonInputReader(GenerateInputSchema, snakeCase);
const readText = (text: string) => read(JSON.parse(text, exactSeeds));

function refusal(body: unknown): GatewayError {
  try {
    read(body);
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('accepted');
}

describe('jsonInputReader', () => {
  it('reads each field under its snake_case name, with the schema\'s defaults', () => {
    expect(read({ model_id: 'm', prompt: 'p', top_p: 0.5, return_full_text: true, stop: ['\n'] })).toEqual({
      ...INPUT_DEFAULTS, modelId: 'm', prompt: 'p', topP: 0.5, returnFullText: true, stop: ['\n'],
    });
  });

  it('takes null for absent, so a default still applies, and ignores fields it does not know', () => {
    expect(read({ model_id: 'm', prompt: 'p', max_new_tokens: null, top_k: null, topP: 0.1, extra: {} })).toEqual({ ...INPUT_DEFAULTS, modelId: 'm', prompt: 'p' });
  });

  it.each([
    [[], 'body', 'body must be a JSON object'],
    [null, 'body', 'body must be a JSON object'],
    [{ prompt: 'p' }, 'model_id', 'model_id is required and must be a string'],
    [{ model_id: 'm', prompt: 5 }, 'prompt', 'prompt is required and must be a string'],
    [{ model_id: 'm', prompt: 'p', max_new_tokens: 1.5 }, 'max_new_tokens', 'max_new_tokens must be an integer'],
    [{ model_id: 'm', prompt: 'p', top_k: 2 ** 53 }, 'top_k', 'top_k must be an integer'],
    [{ model_id: 'm', prompt: 'p', top_p: '0.5' }, 'top_p', 'top_p must be a number'],
    [{ model_id: 'm', prompt: 'p', temperature: Number.POSITIVE_INFINITY }, 'temperature', 'temperature must be a number'],
    [{ model_id: 'm', prompt: 'p', stop: ['a', 1] }, 'stop', 'stop must be a list of strings'],
    [{ model_id: 'm', prompt: 'p', do_sample: 'yes' }, 'do_sample', 'do_sample must be a boolean'],
  ])('refuses %j with BAD_USER_INPUT naming %s', (body, field, message) => {
    expect(refusal(body)).toMatchObject({ code: 'BAD_USER_INPUT', details: { field }, message });
  });

  it('names the first field at fault in the schema\'s order', () => {
    expect(refusal({ watermark: 1, top_p: 'x', prompt: 'p' }).details.field).toBe('model_id');
    expect(refusal({ watermark: 1, top_p: 'x', model_id: 'm', prompt: 'p' }).details.field).toBe('top_p');
  });
});

describe('exactSeeds', () => {
  it('reads a seed above 2^53 by its digits, as a JSON number or a string', () => {
    expect(readText('{"model_id":"m","prompt":"p","seed":14875267490767656219}').seed).toBe(14875267490767656219n);
    expect(readText('{"model_id":"m","prompt":"p","seed":"18446744073709551615"}').seed).toBe(18446744073709551615n);
  });

  it.each(['18446744073709551616', '-1', '1.5', '1e3', '"007"', 'true'])('leaves %s for the schema to refuse, naming seed', (seed) => {
    expect(() => readText(`{"model_id":"m","prompt":"p","seed":${seed}}`)).toThrow(
      'seed must be an integer from 0 to 18446744073709551615, as a JSON number or a string of decimal digits',
    );
  });
});

describe('parseWithExactSeeds', () => {
  it('reads the seed by its digits, whether its key is written plainly or with escapes', () => {
    expect(parseWithExactSeeds('{"prompt":"p","seed":14875267490767656219}')).toEqual({ prompt: 'p', seed: 14875267490767656219n });
    expect(parseWithExactSeeds('{"prompt":"p","se\\u0065d":14875267490767656219}')).toEqual({ prompt: 'p', seed: 14875267490767656219n });
  });

  it('leaves the refusals to the schema, as exactSeeds does', () => {
    expect(parseWithExactSeeds('{"seed":1e3}')).toEqual({ seed: 1000 });
    expect(parseWithExactSeeds('{"seed":"007"}')).toEqual({ seed: '007' });
  });

  it('parses a body without a seed as JSON.parse does', () => {
    const text = '{"model":"m","messages":[{"role":"user","content":"a \\"seed\\": 1"}],"n":1,"nested":{"deep":[1,2.5,null,true]}}';
    expect(parseWithExactSeeds(text)).toEqual(JSON.parse(text));
  });

  it('throws on text that is not JSON', () => {
    expect(() => parseWithExactSeeds('{"seed":')).toThrow(SyntaxError);
    expect(() => parseWithExactSeeds('{"a":')).toThrow(SyntaxError);
  });
});
