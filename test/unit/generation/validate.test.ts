import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../src/errors.ts';
import type { ChatInput, GenerateInput } from '../../../src/generation/input.ts';
import { MAX_UPSTREAM_BYTES } from '../../../src/generation/upstream-size.ts';
import { chatParameters, minimumTokens, generationParameters } from '../../../src/generation/validate.ts';
import type { ServerLimits } from '../../../src/upstream/types.ts';
import { OPENAI } from '../../../src/upstream/openai/protocol.ts';
import { TGI } from '../../../src/upstream/tgi/protocol.ts';
import { toGenerateRequest } from '../../../src/upstream/tgi/request.ts';

const LIMITS: ServerLimits = {
  modelId: 'test/model',
  maxConcurrentRequests: 128,
  maxStopSequences: 4,
  maxInputTokens: 100,
  maxTotalTokens: 200,
};

/** What TGI is sent for the input, as validated against LIMITS. */
const wire = (fields: GenerateInput) => toGenerateRequest({ prompt: fields.prompt, parameters: generationParameters(fields, LIMITS, TGI.dialect) }).parameters;

const input = (fields: Partial<GenerateInput> = {}): GenerateInput => ({ modelId: 'test-model', prompt: 'Hello', ...fields });

/** The BAD_USER_INPUT error for `fields`; fails the test when the input is accepted. */
function rejection(fields: Partial<GenerateInput>, limits: ServerLimits | undefined = LIMITS): GatewayError {
  try {
    generationParameters(input(fields), limits, TGI.dialect);
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error(`accepted ${inspect(fields)}`);
}

describe('generationParameters', () => {
  describe('TGI\'s parameter rules', () => {
    it.each([
      ['temperature', { temperature: 0 }],
      ['temperature', { temperature: -0.5 }],
      ['temperature', { temperature: Number.NaN }],
      ['repetitionPenalty', { repetitionPenalty: 0 }],
      ['repetitionPenalty', { repetitionPenalty: -1 }],
      ['frequencyPenalty', { frequencyPenalty: 2.5 }],
      ['frequencyPenalty', { frequencyPenalty: -2.01 }],
      ['topP', { topP: 1.0 }],
      ['topP', { topP: 0 }],
      ['topP', { topP: 1.5 }],
      ['typicalP', { typicalP: 1.0 }],
      ['typicalP', { typicalP: 0 }],
      ['topK', { topK: 0 }],
      ['topK', { topK: -3 }],
      ['maxNewTokens', { maxNewTokens: 0 }],
      ['maxNewTokens', { maxNewTokens: -1 }],
      ['stop', { stop: ['a', 'b', 'c', 'd', 'e'] }],
      ['stop', { stop: [''] }],
      ['stop', { stop: ['ok', ''] }],
      ['stop', { stop: ['x'.repeat(1025)] }],
      ['seed', { seed: -1n }],
      ['seed', { seed: 2n ** 64n }],
      ['prompt', { prompt: '' }],
      ['truncate', { truncate: 0 }],
      ['truncate', { truncate: -1 }],
    ] satisfies [string, Partial<GenerateInput>][])('rejects an invalid %s with BAD_USER_INPUT naming the field: %o', (field, fields) => {
      const error = rejection(fields);
      expect(error.code).toBe('BAD_USER_INPUT');
      expect(error.details).toEqual({ field });
      expect(error.message).toContain(field);
    });

    it.each([
      { temperature: 0.01 },
      { temperature: 5 },
      { repetitionPenalty: 0.1 },
      { frequencyPenalty: -2 },
      { frequencyPenalty: 2 },
      { topP: 0.999 },
      { topP: 0.001 },
      { typicalP: 0.5 },
      { topK: 1 },
      { maxNewTokens: 1 },
      { stop: ['a', 'b', 'c', 'd'] },
      { stop: [] },
      { seed: 0n },
      { seed: 2n ** 64n - 1n },
      { truncate: 1 },
      { prompt: ' ' },
    ] satisfies Partial<GenerateInput>[])('accepts the boundary value %o', (fields) => {
      expect(() => generationParameters(input(fields), LIMITS, TGI.dialect)).not.toThrow();
    });

    it('allows as many stop sequences as the replica\'s max_stop_sequences, and no more', () => {
      const limits = { ...LIMITS, maxStopSequences: 2 };
      expect(generationParameters(input({ stop: ['a', 'b'] }), limits, TGI.dialect).stop).toEqual(['a', 'b']);
      const error = rejection({ stop: ['a', 'b', 'c'] }, limits);
      expect(error.details.field).toBe('stop');
      expect(error.message).toContain('up to 2');
      expect(error.message).toContain('Given: 3');
    });

    it('allows TGI\'s default of 4 stop sequences while the limits are unknown', () => {
      expect(generationParameters(input({ stop: ['a', 'b', 'c', 'd'] }), undefined, TGI.dialect).stop).toHaveLength(4);
      expect(rejection({ stop: ['a', 'b', 'c', 'd', 'e'] }, undefined).message).toContain('up to 4');
    });

    it('rejects a prompt larger than TGI\'s request body limit, counted as the JSON string it is sent as', () => {
      // Two quotes around it.
      const refused = rejection({ prompt: 'x'.repeat(MAX_UPSTREAM_BYTES - 1) });
      expect(refused.details.field).toBe('prompt');
      expect(refused.message).toContain(`at most ${MAX_UPSTREAM_BYTES} bytes`);
      expect(() => generationParameters(input({ prompt: 'x'.repeat(MAX_UPSTREAM_BYTES - 2) }), undefined, TGI.dialect)).not.toThrow();
    });
  });

  describe('the model\'s token limits', () => {
    it('counts at least one token per 32 bytes of UTF-8, plus BOS', () => {
      expect(minimumTokens('')).toBe(1);
      expect(minimumTokens('Hello')).toBe(2);
      expect(minimumTokens('x'.repeat(32))).toBe(2);
      expect(minimumTokens('x'.repeat(33))).toBe(3);
      expect(minimumTokens('日'.repeat(11))).toBe(3); // 33 bytes
    });

    it('rejects truncate above max_input_tokens, naming truncate', () => {
      const error = rejection({ truncate: 101 });
      expect(error.details.field).toBe('truncate');
      expect(error.message).toContain('100');
      expect(generationParameters(input({ truncate: 100 }), LIMITS, TGI.dialect).truncate).toBe(100);
    });

    it('accepts any positive truncate while the limits are unknown', () => {
      expect(generationParameters(input({ truncate: 5000 }), undefined, TGI.dialect).truncate).toBe(5000);
    });

    it('rejects a prompt of more than max_input_tokens, naming prompt', () => {
      const prompt = 'x'.repeat(100 * 32); // at least 101 tokens
      expect(minimumTokens(prompt)).toBe(101);
      expect(rejection({ prompt }).details.field).toBe('prompt');
      expect(() => generationParameters(input({ prompt: 'x'.repeat(99 * 32) }), LIMITS, TGI.dialect)).not.toThrow();
    });

    it('accepts a long prompt with truncate, which keeps only its last tokens', () => {
      expect(() => generationParameters(input({ prompt: 'x'.repeat(100 * 32), truncate: 50 }), LIMITS, TGI.dialect)).not.toThrow();
    });

    it('rejects prompt tokens + maxNewTokens over max_total_tokens, naming maxNewTokens', () => {
      // 'Hello' is at least 2 tokens: 2 + 198 = 200 fits, 2 + 199 does not.
      expect(generationParameters(input({ maxNewTokens: 198 }), LIMITS, TGI.dialect).maxNewTokens).toBe(198);
      const error = rejection({ maxNewTokens: 199 });
      expect(error.details.field).toBe('maxNewTokens');
      expect(error.message).toContain('200');
    });

    it('says so in the sentence TGI uses, with the client\'s field names', () => {
      // TGI: "`inputs` tokens + `max_new_tokens` must be <= 4096. Given: 3900 `inputs` tokens and 500 `max_new_tokens`"
      expect(rejection({ maxNewTokens: 199 }).message).toBe(
        'prompt tokens + maxNewTokens must be <= 200. Given: at least 2 prompt tokens and 199 maxNewTokens',
      );
      // TGI: "`inputs` must have less than 4095 tokens. Given: 5000"
      expect(rejection({ prompt: 'x'.repeat(100 * 32) }).message).toBe('prompt must have less than 101 tokens. Given: at least 101');
    });

    it('names prompt, not maxNewTokens, when the prompt alone is over max_input_tokens', () => {
      const prompt = 'x'.repeat(100 * 32); // at least 101 tokens: 101 + 150 is over 200 too
      const error = rejection({ prompt, maxNewTokens: 150 });
      expect(error.details.field).toBe('prompt');
      expect(error.message).toContain('prompt tokens + maxNewTokens must be <= 200');
    });

    it('names prompt when the prompt alone leaves no room for a new token', () => {
      // Limits of a server that lets the prompt take the whole context.
      const roomy = { ...LIMITS, maxInputTokens: 200 };
      const prompt = 'x'.repeat(199 * 32); // at least 200 tokens
      expect(rejection({ prompt, maxNewTokens: 1 }, roomy).details.field).toBe('prompt');
      expect(rejection({ prompt: 'x'.repeat(198 * 32), maxNewTokens: 2 }, roomy).details.field).toBe('maxNewTokens');
    });

    it('counts truncate, not the whole prompt, against max_total_tokens', () => {
      const prompt = 'x'.repeat(100 * 32);
      expect(() => generationParameters(input({ prompt, truncate: 50, maxNewTokens: 150 }), LIMITS, TGI.dialect)).not.toThrow();
      expect(rejection({ prompt, truncate: 50, maxNewTokens: 151 }).details.field).toBe('maxNewTokens');
    });

    it('checks no token budget while the limits are unknown', () => {
      expect(() => generationParameters(input({ prompt: 'x'.repeat(100_000), maxNewTokens: 1_000_000 }), undefined, TGI.dialect)).not.toThrow();
    });
  });

  describe('order of checks', () => {
    it('reports temperature before topP when both are wrong', () => {
      expect(rejection({ temperature: 0, topP: 1 }).details.field).toBe('temperature');
    });

    it('reports the first failing rule in TGI\'s order', () => {
      // Every field wrong at once; fixing the reported one reveals the next, in TGI's order.
      const wrong: Partial<GenerateInput> = {
        temperature: 0,
        repetitionPenalty: 0,
        frequencyPenalty: 3,
        topP: 1,
        typicalP: 1,
        topK: 0,
        maxNewTokens: 0,
        stop: ['a', 'b', 'c', 'd', 'e'],
        seed: -1n,
        prompt: '',
        truncate: 0,
      };
      const fixed: Partial<GenerateInput> = {
        temperature: 0.5,
        repetitionPenalty: 1,
        frequencyPenalty: 0,
        topP: 0.9,
        typicalP: 0.9,
        topK: 10,
        maxNewTokens: 10,
        stop: ['a'],
        seed: 1n,
        prompt: 'Hi',
        truncate: 10,
      };
      const reported: string[] = [];
      const current = { ...wrong };
      for (;;) {
        let field: string | undefined;
        try {
          generationParameters(input(current), LIMITS, TGI.dialect);
        } catch (error) {
          if (!(error instanceof GatewayError)) throw error;
          field = error.details.field;
        }
        if (field === undefined) break;
        reported.push(field);
        Object.assign(current, { [field]: fixed[field as keyof GenerateInput] });
      }
      expect(reported).toEqual([
        'temperature', 'repetitionPenalty', 'frequencyPenalty', 'topP', 'typicalP', 'topK',
        'maxNewTokens', 'stop', 'seed', 'prompt', 'truncate',
      ]);
    });
  });

  describe('valid input', () => {
    it('maps to TGI\'s snake_case wire parameters with details: true', () => {
      const parameters = wire(
        input({
          maxNewTokens: 20,
          temperature: 0.7,
          topP: 0.95,
          topK: 50,
          repetitionPenalty: 1.1,
          frequencyPenalty: 0.5,
          typicalP: 0.9,
          truncate: 64,
          stop: ['\n\n', 'User:'],
          seed: 14875267490767656219n,
          doSample: true,
          returnFullText: false,
          watermark: false,
        }),
      );
      expect(parameters).toStrictEqual({
        details: true,
        max_new_tokens: 20,
        temperature: 0.7,
        top_p: 0.95,
        top_k: 50,
        repetition_penalty: 1.1,
        frequency_penalty: 0.5,
        typical_p: 0.9,
        truncate: 64,
        stop: ['\n\n', 'User:'],
        seed: 14875267490767656219n,
        do_sample: true,
        return_full_text: false,
        watermark: false,
      });
    });

    it('omits unset fields, whether absent or null, rather than sending null', () => {
      const nulls = input({
        maxNewTokens: null,
        temperature: null,
        topP: null,
        topK: null,
        repetitionPenalty: null,
        frequencyPenalty: null,
        typicalP: null,
        truncate: null,
        stop: null,
        seed: null,
        doSample: null,
        returnFullText: null,
        watermark: null,
      });
      expect(generationParameters(nulls, LIMITS, TGI.dialect)).toStrictEqual({});
      expect(wire(nulls)).toStrictEqual({ details: true });
      expect(generationParameters(input(), undefined, TGI.dialect)).toStrictEqual({});
    });

    it('copies the stop list rather than sharing the caller\'s array', () => {
      const stop = ['a'];
      const parameters = generationParameters(input({ stop }), LIMITS, TGI.dialect);
      expect(parameters.stop).toEqual(['a']);
      expect(parameters.stop).not.toBe(stop);
    });
  });
});

describe('numbers that are not finite', () => {
  it('are refused for every numeric field, naming it (a Float literal like 1e400 is Infinity)', () => {
    for (const field of ['temperature', 'repetitionPenalty', 'frequencyPenalty', 'topP', 'typicalP', 'topK', 'maxNewTokens', 'truncate'] as const) {
      for (const value of [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN]) {
        expect(() => generationParameters({ modelId: 'm', prompt: 'x', [field]: value }, undefined, TGI.dialect), `${field}=${value}`).toThrow(
          expect.objectContaining({ code: 'BAD_USER_INPUT', details: { field }, message: `${field} must be a finite number` }),
        );
      }
    }
  });
});

describe('generationParameters on an OpenAI-compatible model', () => {
  const openai = (fields: Partial<GenerateInput>) => generationParameters(input(fields), LIMITS, OPENAI.dialect);
  const refused = (fields: Partial<GenerateInput>): GatewayError => {
    try {
      openai(fields);
    } catch (error) {
      if (error instanceof GatewayError) return error;
      throw error;
    }
    throw new Error(`accepted ${inspect(fields)}`);
  };

  it('takes temperature 0 (greedy) and topP 1, which TGI refuses', () => {
    expect(openai({ temperature: 0, topP: 1 })).toMatchObject({ temperature: 0, topP: 1 });
    expect(rejection({ temperature: 0 }).details.field).toBe('temperature');
    expect(rejection({ topP: 1 }).details.field).toBe('topP');
  });

  it.each([
    ['temperature', { temperature: -0.1 }],
    ['topP', { topP: 0 }],
    ['topP', { topP: 1.01 }],
  ])('refuses %s out of its range: %o', (field, fields) => {
    expect(refused(fields)).toMatchObject({ code: 'BAD_USER_INPUT', details: { field } });
  });

  it('refuses a seed above 2^63 - 1, which vLLM cannot take, and takes the largest it can', () => {
    expect(refused({ seed: 2n ** 63n })).toMatchObject({ code: 'BAD_USER_INPUT', details: { field: 'seed' } });
    expect(openai({ seed: 2n ** 63n - 1n }).seed).toBe(2n ** 63n - 1n);
    expect(generationParameters(input({ seed: 2n ** 64n - 1n }), LIMITS, TGI.dialect).seed).toBe(2n ** 64n - 1n);
    expect(() => chatParameters({ modelId: 'm', messages: [{ role: 'USER', content: 'x' }], seed: 2n ** 63n }, LIMITS, OPENAI.dialect)).toThrow(/signed 64-bit/);
  });

  it.each([['typicalP', { typicalP: 0.5 }], ['watermark', { watermark: true }]])('refuses %s, which the protocol cannot honour, naming it', (field, fields) => {
    const error = refused(fields);
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', details: { field } });
    expect(error.message).toContain(field);
  });
});

describe('chatParameters', () => {
  const chat = (fields: Partial<ChatInput> = {}): ChatInput => ({ modelId: 'm', messages: [{ role: 'USER', content: 'Hello' }], ...fields });
  const refusal = (fields: Partial<ChatInput>, limits: ServerLimits | undefined = LIMITS): GatewayError => {
    try {
      chatParameters(chat(fields), limits, TGI.dialect);
    } catch (error) {
      if (error instanceof GatewayError) return error;
      throw error;
    }
    throw new Error(`accepted ${inspect(fields)}`);
  };

  it('maps the chat fields onto the sampling parameters', () => {
    expect(chatParameters(chat({ maxTokens: 5, temperature: 0, topP: 1, stop: ['x'], seed: 3n, frequencyPenalty: 1, presencePenalty: -1 }), LIMITS, TGI.dialect)).toEqual({
      maxNewTokens: 5, temperature: 0, topP: 1, stop: ['x'], seed: 3n, frequencyPenalty: 1, presencePenalty: -1,
    });
  });

  it.each([
    ['messages', { messages: [] }],
    ['temperature', { temperature: -1 }],
    ['topP', { topP: 0 }],
    ['topP', { topP: 1.5 }],
    ['maxTokens', { maxTokens: 0 }],
    ['presencePenalty', { presencePenalty: 3 }],
    ['frequencyPenalty', { frequencyPenalty: Number.POSITIVE_INFINITY }],
    ['stop', { stop: ['a', 'b', 'c', 'd', 'e'] }],
    ['maxTokens', { maxTokens: 500 }],
    ['messages', { messages: [{ role: 'USER', content: 'x'.repeat(32 * 300) }] }],
  ] as const)('refuses bad %s: %o', (field, fields) => {
    expect(refusal(fields as Partial<ChatInput>)).toMatchObject({ code: 'BAD_USER_INPUT', details: { field } });
  });
});
