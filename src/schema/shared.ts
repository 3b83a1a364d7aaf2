// Types that raw-prompt generation and chat share.
import type { TokenUsage } from '../upstream/types.ts';
import { builder } from './builder.ts';

export const FinishReason = builder.enumType('FinishReason', {
  values: ['LENGTH', 'EOS_TOKEN', 'STOP_SEQUENCE'] as const,
});

export const TokenUsageRef = builder.objectRef<TokenUsage>('TokenUsage').implement({
  description: 'Token counts as the model server reported them; the gateway never estimates them.',
  fields: (t) => ({
    promptTokens: t.exposeInt('promptTokens'),
    completionTokens: t.exposeInt('completionTokens'),
    totalTokens: t.exposeInt('totalTokens'),
  }),
});
