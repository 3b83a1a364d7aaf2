// What the OpenAI-style routes show of a planned sequence: the text each token adds, the
// whole text and the finish reason. TGI keeps a matched stop sequence in the output, vLLM
// cuts it off (reporting it as stop_reason); since the plan is known up front, the pieces
// are clipped so that whatever a stream sends adds up to the non-stream text exactly.

import type { SequencePlan } from './planner.ts';

export interface CompletionText {
  /** The text added at each token position; '' for special tokens and cut-off stop text. */
  pieces: string[];
  text: string;
  /** OpenAI's reasons: EOS and stop sequences are both `stop`. */
  finishReason: 'stop' | 'length';
  /** The stop string that ended the text, or null (vLLM's `stop_reason`). */
  stopString: string | null;
}

export function completionText(sequence: SequencePlan, stop: readonly string[], cutStop: boolean): CompletionText {
  const stopString =
    sequence.finishReason === 'stop_sequence' ? (stop.find((candidate) => sequence.text.endsWith(candidate)) ?? null) : null;
  const text = cutStop && stopString !== null ? sequence.text.slice(0, sequence.text.length - stopString.length) : sequence.text;
  let produced = 0;
  let shown = 0;
  const pieces = sequence.tokens.map((token) => {
    if (token.special) return '';
    produced += token.text.length;
    const piece = text.slice(shown, Math.min(produced, text.length));
    shown += piece.length;
    return piece;
  });
  return { pieces, text, finishReason: sequence.finishReason === 'length' ? 'length' : 'stop', stopString };
}
