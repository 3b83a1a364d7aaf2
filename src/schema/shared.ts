// Types that raw-prompt generation and chat share.
import type { TokenUsage } from '../upstream/types.ts';
import { builder } from './builder.ts';

/**
 * Every field of an input shape and no other, for `satisfies` on the fields of
 * an input type: Pothos checks each field's type against the shape, this that
 * none is missing (optional ones would pass unseen) or extra.
 */
export type EveryField<Shape> = { [Name in keyof Shape]-?: unknown };

export const FinishReason = builder.enumType('FinishReason', {
  values: {
    LENGTH: {},
    EOS_TOKEN: {},
    STOP_SEQUENCE: {},
    TOOL_CALLS: { description: 'The model stopped to call tools.' },
  } as const,
});

export const TokenUsageRef = builder.objectRef<TokenUsage>('TokenUsage').implement({
  description: 'Token counts as the model server reported them; the gateway never estimates them.',
  fields: (t) => ({
    promptTokens: t.exposeInt('promptTokens'),
    completionTokens: t.exposeInt('completionTokens'),
    totalTokens: t.exposeInt('totalTokens'),
  }),
});
