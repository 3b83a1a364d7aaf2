// The simulator's tokenizer, deterministic and dependency-free: a prompt becomes a BOS token
// followed by pieces made of any leading whitespace plus up to 4 non-space characters
// (code points); trailing whitespace is a piece of its own. So "Hello world" is
// [<s>, "Hell", "o", " worl", "d"] = 5 tokens. Joining the pieces gives the prompt back.

import { BOS_ID, VOCABULARY, pieceId } from './vocabulary.ts';
import { hash32 } from './prng.ts';

export interface PromptToken {
  id: number;
  text: string;
}

const PIECE = /\s*\S{1,4}|\s+/gu;

export function tokenize(prompt: string): PromptToken[] {
  const pieces = prompt.match(PIECE) ?? [];
  return [{ id: BOS_ID, text: VOCABULARY[BOS_ID] ?? '<s>' }, ...pieces.map((text) => ({ id: pieceId(text, hash32), text }))];
}

/** TGI truncates from the left: only the last `truncate` tokens reach the model. */
export function truncateTokens(tokens: PromptToken[], truncate: number | null): PromptToken[] {
  return truncate !== null && tokens.length > truncate ? tokens.slice(tokens.length - truncate) : tokens;
}

/** What the model sees, used to seed generation. */
export function promptText(tokens: PromptToken[]): string {
  return tokens.filter((token) => token.id !== BOS_ID).map((token) => token.text).join('');
}
