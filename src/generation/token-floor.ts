// What an answer costs when its server did not count its tokens (some
// OpenAI-compatible servers report no usage): without a floor such an answer
// would cost nothing, and RATE_LIMIT_TPM would not hold against it.

/** Characters of generated text taken for one token at least: English runs about four a token. */
const CHARACTERS_PER_TOKEN = 4;

/** Tokens charged for an answer no server counted: one per 4 characters of its text, or its events if more. */
export function uncountedTokens(characters: number, events: number): number {
  return Math.max(events, Math.ceil(characters / CHARACTERS_PER_TOKEN));
}
