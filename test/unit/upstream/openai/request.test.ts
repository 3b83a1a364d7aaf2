import { describe, expect, it } from 'vitest';
import { buildCompletionRequest, promptPrefix } from '../../../../src/upstream/openai/request.ts';
import { samplingFields } from '../../../../src/upstream/openai-wire/sampling.ts';
import { wireJson } from '../../../../src/upstream/http.ts';
import { example } from '../tgi/examples.ts';

describe('samplingFields', () => {
  it('maps every parameter onto its OpenAI-compatible name', () => {
    expect(samplingFields({
      maxNewTokens: 20,
      temperature: 0.5,
      topP: 0.9,
      topK: 40,
      repetitionPenalty: 1.1,
      frequencyPenalty: 0.2,
      presencePenalty: -0.3,
      stop: ['\n', 'END'],
      seed: 7n,
      truncate: 100,
      doSample: true,
    })).toEqual({
      max_tokens: 20,
      temperature: 0.5,
      top_p: 0.9,
      top_k: 40,
      repetition_penalty: 1.1,
      frequency_penalty: 0.2,
      presence_penalty: -0.3,
      stop: ['\n', 'END'],
      seed: 7n,
      truncate_prompt_tokens: 100,
    });
  });

  it('sends nothing for unset parameters', () => {
    expect(samplingFields({})).toEqual({});
  });

  it('makes doSample: false greedy (temperature 0), whatever temperature was set', () => {
    expect(samplingFields({ doSample: false })).toEqual({ temperature: 0 });
    expect(samplingFields({ doSample: false, temperature: 0.8 })).toEqual({ temperature: 0 });
  });

  it('ignores typicalP, watermark and returnFullText, which have no field here', () => {
    expect(samplingFields({ typicalP: 0.5, watermark: true, returnFullText: true })).toEqual({});
  });

  it('leaves out the fields a route does not take', () => {
    const fields = { topK: false, repetitionPenalty: false as const, truncate: false, topPOne: false };
    expect(samplingFields({ topK: 3, repetitionPenalty: 1.2, truncate: 5, topP: 1 }, fields)).toEqual({});
    expect(samplingFields({ topP: 0.5 }, fields)).toEqual({ top_p: 0.5 });
  });
});

describe('buildCompletionRequest', () => {
  it("writes the fixture's non-streamed completion request", () => {
    const body = buildCompletionRequest('tgi', { prompt: 'What is Deep Learning?', parameters: { maxNewTokens: 5, temperature: 0.7, seed: 42n } }, { stream: false });
    expect(JSON.parse(wireJson(body))).toEqual(JSON.parse(example('completions-request.json')));
  });

  it('asks a stream for its usage chunk and its token ids', () => {
    expect(buildCompletionRequest('m', { prompt: 'p', parameters: {} }, { stream: true })).toEqual({
      model: 'm',
      prompt: 'p',
      stream: true,
      stream_options: { include_usage: true },
      return_token_ids: true,
    });
  });

  it('writes a u64 seed as a bare JSON number with every digit', () => {
    const body = buildCompletionRequest('m', { prompt: 'p', parameters: { seed: 18446744073709551615n } }, { stream: false });
    expect(wireJson(body)).toContain('"seed":18446744073709551615');
  });

  it('never sends echo: the full text is put together by the gateway', () => {
    const request = { prompt: 'Q:', parameters: { returnFullText: true } };
    expect(buildCompletionRequest('m', request, { stream: false })).not.toHaveProperty('echo');
    expect(promptPrefix(request)).toBe('Q:');
    expect(promptPrefix({ prompt: 'Q:', parameters: {} })).toBe('');
  });
});
