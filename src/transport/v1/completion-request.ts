// A Completions body (POST /v1/completions) as the generation service's
// generate input: one prompt string, OpenAI's names read onto GenerateInput.
import { z } from 'zod';
import type { GenerateInput } from '../../generation/input.ts';
import { COMMON_FIELDS, COMMON_REFUSALS, defined, readFields, refuseUnrelayed, type Refusals, stopList } from './request-fields.ts';

export interface CompletionRequest {
  readonly input: GenerateInput;
  readonly stream: boolean;
  readonly includeUsage: boolean;
  /** `echo`: the prompt comes first in the answer's text. */
  readonly echo: boolean;
}

/** OpenAI's default for `max_tokens` on this route (absent, a server would pick its own). */
const DEFAULT_MAX_TOKENS = 16;

const CompletionBody = z.object({
  ...COMMON_FIELDS,
  prompt: z.string({ error: 'is required and must be a string (lists of prompts and token ids are not relayed)' }),
  echo: z.boolean({ error: 'must be a boolean' }).nullish(),
});

const COMPLETION_REFUSALS: Refusals = [
  ...COMMON_REFUSALS,
  ['best_of', 'the gateway returns one choice per request: best_of must be 1', (value) => value === 1],
  ['logprobs', 'logprobs are not relayed by this gateway'],
  ['suffix', 'suffix (insertion) is not relayed by this gateway'],
  ['presence_penalty', 'presence_penalty is not relayed on completions (chat relays it)'],
];

export function readCompletionRequest(body: unknown): CompletionRequest {
  const fields = readFields(CompletionBody, body);
  refuseUnrelayed(body as Record<string, unknown>, COMPLETION_REFUSALS);
  const stream = fields.stream === true;
  const echo = fields.echo === true;
  const input: GenerateInput = {
    modelId: fields.model,
    prompt: fields.prompt,
    maxNewTokens: fields.max_tokens ?? DEFAULT_MAX_TOKENS,
    ...defined({
      temperature: fields.temperature,
      topP: fields.top_p,
      stop: stopList(fields.stop),
      seed: fields.seed,
      frequencyPenalty: fields.frequency_penalty,
      // A stream puts the prompt first itself: the servers' tokens are the generated ones alone.
      returnFullText: echo && !stream ? true : undefined,
    }),
  };
  return { input, stream, includeUsage: fields.stream_options?.include_usage === true, echo };
}
