import { describe, expect, expectTypeOf, it } from 'vitest';
import { snakeCase } from '../../../src/lib/names.ts';

describe('snakeCase', () => {
  it.each([
    ['prompt', 'prompt'],
    ['topP', 'top_p'],
    ['modelId', 'model_id'],
    ['maxNewTokens', 'max_new_tokens'],
    ['returnFullText', 'return_full_text'],
    ['hfName', 'hf_name'],
  ])('writes %s as %s', (name, written) => {
    expect(snakeCase(name)).toBe(written);
  });

  it('states the same spelling in its type', () => {
    expectTypeOf(snakeCase('maxNewTokens')).toEqualTypeOf<'max_new_tokens'>();
    expectTypeOf(snakeCase('seed')).toEqualTypeOf<'seed'>();
  });
});
