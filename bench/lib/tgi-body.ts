// The TGI request body for one generation, exactly as the gateway builds it
// from a GenerateInput with the schema's defaults (src/generation/validate.ts):
// the direct runs, the floor proxy and the expected texts all send this, so the
// simulator plans the very same tokens whichever path a request took.

export interface GenerationInput {
  prompt: string;
  maxNewTokens: number;
  /** The bench's seeds are small integers: a JSON number holds them exactly. */
  seed?: number;
}

export function tgiBody(input: GenerationInput): string {
  return JSON.stringify({
    inputs: input.prompt,
    parameters: {
      details: true,
      temperature: 0.7,
      repetition_penalty: 1,
      top_p: 0.95,
      max_new_tokens: input.maxNewTokens,
      ...(input.seed === undefined ? {} : { seed: input.seed }),
    },
  });
}
