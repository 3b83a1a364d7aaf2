import { describe, expect, it } from 'vitest';
import { DIALECTS, GENERIC } from '../../../../src/upstream/openai/dialects.ts';
import { buildCompletionRequest } from '../../../../src/upstream/openai/request.ts';
import type { SamplingParameters } from '../../../../src/upstream/types.ts';

const EVERY: SamplingParameters = { maxNewTokens: 5, topK: 4, repetitionPenalty: 1.2, typicalP: 0.9, truncate: 7, topP: 1, seed: 42n };
const body = (family: keyof typeof DIALECTS) => buildCompletionRequest('m', { prompt: 'p', parameters: EVERY }, { stream: false, fields: DIALECTS[family].fields });

describe('the OpenAI-compatible dialects', () => {
  it("send each parameter under the server's own name, and only those it reads", () => {
    expect(body('vllm')).toMatchObject({ top_k: 4, repetition_penalty: 1.2, truncate_prompt_tokens: 7, top_p: 1 });
    expect(body('llamacpp')).toMatchObject({ top_k: 4, repeat_penalty: 1.2, typical_p: 0.9, top_p: 1 });
    expect(body('llamacpp')).not.toHaveProperty('repetition_penalty');
    expect(body('llamacpp')).not.toHaveProperty('truncate_prompt_tokens');
    expect(body('ollama')).not.toHaveProperty('top_k');
    // TGI's routes want top_p below 1: 1 is "no top-p", left out.
    expect(body('tgi')).not.toHaveProperty('top_p');
  });

  it('refuse by name, in validation, every field a server would otherwise drop', () => {
    for (const dialect of Object.values(DIALECTS)) {
      const { fields, rules } = dialect;
      if (!fields.topK) expect(rules.refuses).toContain('topK');
      if (fields.repetitionPenalty === false) expect(rules.refuses).toContain('repetitionPenalty');
      if (!fields.truncate) expect(rules.refuses).toContain('truncate');
      if (fields.typicalP !== true) expect(rules.refuses).toContain('typicalP');
      expect(rules.refuses).toContain('watermark');
    }
  });

  it("bound llama.cpp's seed to its 32 bits, and know its request-tied 500s everywhere", () => {
    expect(DIALECTS.llamacpp.rules.maxSeed?.value).toBe(4294967294n);
    for (const dialect of [GENERIC, ...Object.values(DIALECTS)]) {
      expect(dialect.requestTied.some((p) => p.test('context shift is disabled'))).toBe(true);
    }
    expect(GENERIC.requestTied.some((p) => p.test('CUDA error: out of memory'))).toBe(false);
  });
});
