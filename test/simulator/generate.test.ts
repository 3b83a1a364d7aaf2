import { describe, expect, it } from 'vitest';
import { postJson, useSimulator } from './helpers.ts';

const start = useSimulator();

interface Token {
  id: number;
  text: string;
  logprob: number;
  special: boolean;
}
interface Details {
  finish_reason: string;
  generated_tokens: number;
  seed: number | null;
  prefill: { id: number; text: string; logprob: number | null }[];
  tokens: Token[];
  top_tokens?: Token[][];
  best_of_sequences?: { generated_text: string; seed: number }[];
}
interface Generated {
  generated_text: string;
  details?: Details;
}

describe('POST /generate', () => {
  it('returns only generated_text unless details are asked for', async () => {
    const simulator = await start();
    const response = await postJson(simulator, '/generate', { inputs: 'Tell me', parameters: { max_new_tokens: 4 } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    const body = (await response.json()) as Generated;
    expect(Object.keys(body)).toEqual(['generated_text']);
    expect(body.generated_text.length).toBeGreaterThan(0);
  });

  it('returns exactly max_new_tokens tokens with details in TGI key order', async () => {
    const simulator = await start();
    const response = await postJson(simulator, '/generate', {
      inputs: 'Tell me',
      parameters: { max_new_tokens: 6, details: true },
    });
    const body = (await response.json()) as Generated;
    const details = body.details!;
    expect(Object.keys(details)).toEqual(['finish_reason', 'generated_tokens', 'seed', 'prefill', 'tokens']);
    expect(details).toMatchObject({ finish_reason: 'length', generated_tokens: 6, seed: null, prefill: [] });
    expect(details.tokens).toHaveLength(6);
    expect(details.tokens.map((token) => token.text).join('')).toBe(body.generated_text);
    for (const token of details.tokens) {
      expect(Object.keys(token)).toEqual(['id', 'text', 'logprob', 'special']);
      expect(token.logprob).toBeGreaterThan(-3);
      expect(token.logprob).toBeLessThan(0);
      expect(token.special).toBe(false);
    }
  });

  it('sets the x- timing and token headers on success', async () => {
    const simulator = await start();
    const response = await postJson(simulator, '/generate', { inputs: 'Héllo wörld', parameters: { max_new_tokens: 3 } });
    await response.text();
    expect(response.headers.get('x-compute-type')).toBe('gpu+optimized');
    expect(response.headers.get('x-compute-characters')).toBe('11');
    expect(response.headers.get('x-prompt-tokens')).toBe('5');
    expect(response.headers.get('x-generated-tokens')).toBe('3');
    expect(response.headers.get('x-compute-time')).toMatch(/^\d+\.\d+$/);
    for (const name of ['x-total-time', 'x-validation-time', 'x-queue-time', 'x-inference-time', 'x-time-per-token']) {
      expect(response.headers.get(name)).toMatch(/^\d+$/);
    }
  });

  it('is deterministic for the same prompt and seed, and varies with the seed', async () => {
    const simulator = await start();
    const generate = async (seed: number): Promise<string> => {
      const response = await postJson(simulator, '/generate', {
        inputs: 'Once upon a time',
        parameters: { max_new_tokens: 12, do_sample: true, seed },
      });
      return ((await response.json()) as Generated).generated_text;
    };
    expect(await generate(7)).toBe(await generate(7));
    expect(await generate(7)).not.toBe(await generate(8));
  });

  it('reports the given seed when sampling and null when greedy', async () => {
    const simulator = await start();
    const seedOf = async (parameters: object): Promise<string> => {
      const response = await postJson(simulator, '/generate', {
        inputs: 'x',
        parameters: { max_new_tokens: 1, details: true, ...parameters },
      });
      return /"seed":(null|\d+)/.exec(await response.text())![1]!;
    };
    expect(await seedOf({ do_sample: true, seed: 42 })).toBe('42');
    expect(await seedOf({ seed: 42 })).toBe('null');
    expect(await seedOf({ temperature: 1.0, seed: 42 })).toBe('null');
    expect(await seedOf({ top_k: 5 })).toMatch(/^\d+$/);
  });

  it('echoes a u64 seed digit for digit', async () => {
    const simulator = await start();
    const response = await postJson(
      simulator,
      '/generate',
      '{"inputs":"x","parameters":{"max_new_tokens":1,"details":true,"do_sample":true,"seed":18446744073709551615}}',
    );
    expect(await response.text()).toContain('"seed":18446744073709551615');
  });

  it('stops on a stop sequence and keeps it in the text', async () => {
    const simulator = await start();
    const request = { inputs: 'Count with me', parameters: { max_new_tokens: 20, details: true } };
    const free = (await (await postJson(simulator, '/generate', request)).json()) as Generated;
    const third = free.details!.tokens[2]!.text;
    const firstThree = free.details!.tokens.slice(0, 3).map((token) => token.text).join('');
    const stopped = (await (
      await postJson(simulator, '/generate', { ...request, parameters: { ...request.parameters, stop: [third] } })
    ).json()) as Generated;
    expect(stopped.details!.finish_reason).toBe('stop_sequence');
    expect(stopped.generated_text.endsWith(third)).toBe(true);
    expect(firstThree.startsWith(stopped.generated_text)).toBe(true);
  });

  it('ends with a special </s> token and eos_token when max_new_tokens is omitted', async () => {
    const simulator = await start();
    const response = await postJson(simulator, '/generate', { inputs: 'Say something', parameters: { details: true } });
    const body = (await response.json()) as Generated;
    const tokens = body.details!.tokens;
    expect(body.details!.finish_reason).toBe('eos_token');
    expect(tokens.at(-1)).toMatchObject({ id: 2, text: '</s>', special: true });
    expect(tokens.length).toBeLessThanOrEqual(64);
    expect(body.generated_text).toBe(tokens.slice(0, -1).map((token) => token.text).join(''));
  });

  it('stops at the context limit with length when it fills up before EOS', async () => {
    const simulator = await start({ maxInputTokens: 4, maxTotalTokens: 6 });
    const response = await postJson(simulator, '/generate', { inputs: 'a b c', parameters: { details: true } });
    const body = (await response.json()) as Generated;
    expect(body.details).toMatchObject({ finish_reason: 'length', generated_tokens: 2 });
  });

  it('prepends the prompt when return_full_text is true', async () => {
    const simulator = await start();
    const request = { inputs: 'Prefix:', parameters: { max_new_tokens: 3 } };
    const plain = (await (await postJson(simulator, '/generate', request)).json()) as Generated;
    const full = (await (
      await postJson(simulator, '/generate', { ...request, parameters: { ...request.parameters, return_full_text: true } })
    ).json()) as Generated;
    expect(full.generated_text).toBe(`Prefix:${plain.generated_text}`);
  });

  it('keeps only the last `truncate` prompt tokens', async () => {
    const simulator = await start();
    const response = await postJson(simulator, '/generate', {
      inputs: 'one two three four five six',
      parameters: { max_new_tokens: 1, truncate: 3 },
    });
    await response.text();
    expect(response.headers.get('x-prompt-tokens')).toBe('3');
  });

  it('returns prompt tokens in prefill with decoder_input_details, the first logprob null', async () => {
    const simulator = await start();
    const response = await postJson(simulator, '/generate', {
      inputs: 'Hi there',
      parameters: { max_new_tokens: 1, decoder_input_details: true },
    });
    const { details } = (await response.json()) as Generated;
    expect(details!.prefill).toEqual([
      { id: 1, text: '<s>', logprob: null },
      expect.objectContaining({ text: 'Hi' }),
      expect.objectContaining({ text: ' ther' }),
      expect.objectContaining({ text: 'e' }),
    ]);
  });

  it('returns top_tokens per generated token when top_n_tokens > 0', async () => {
    const simulator = await start();
    const response = await postJson(simulator, '/generate', {
      inputs: 'Hi',
      parameters: { max_new_tokens: 3, details: true, top_n_tokens: 2 },
    });
    const { details } = (await response.json()) as Generated;
    expect(details!.top_tokens).toHaveLength(3);
    expect(details!.top_tokens![0]).toHaveLength(2);
    expect(details!.top_tokens![0]![0]).toEqual(details!.tokens[0]);
  });

  it('returns the other best_of sequences, each with its own seed', async () => {
    const simulator = await start();
    const response = await postJson(simulator, '/generate', {
      inputs: 'Hi',
      parameters: { max_new_tokens: 3, details: true, best_of: 2, do_sample: true },
    });
    const { details } = (await response.json()) as Generated;
    expect(details!.best_of_sequences).toHaveLength(1);
    expect(details!.best_of_sequences![0]!.seed).not.toBe(details!.seed);
  });
});
