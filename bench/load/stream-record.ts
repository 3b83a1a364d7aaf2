// What one stream saw, whatever carried it: when it was sent, when each token
// arrived, the text the tokens make and the final text. A stream is judged
// only after the run, against the expected text, so judging costs no time
// while tokens are being timed.

export interface StreamCheck {
  ok: number;
  /** Ended without its final event: an error, a closed socket, the deadline. */
  lost: number;
  /** Ended, but with other text or another count of tokens than expected. */
  garbled: number;
  /** A few failures, in words. */
  examples: string[];
}

export class StreamRecord {
  sentAt = NaN;
  firstAt = NaN;
  lastAt = NaN;
  tokens = 0;
  text = '';
  finalText: string | null = null;
  ended = false;
  failure: string | undefined;
  readonly gaps: number[] = [];
  /** Its place in the run's list of inputs (and so of expected texts). */
  readonly index: number;
  readonly wave: number;
  #onToken: (at: number) => void = () => {};
  #onEnd: () => void = () => {};

  constructor(index: number, wave: number) {
    this.index = index;
    this.wave = wave;
  }

  /** `onToken` at each token; `onEnd` once, when the stream ends whichever way. */
  watch(onToken: (at: number) => void, onEnd: () => void): void {
    this.#onToken = onToken;
    this.#onEnd = onEnd;
  }

  token(text: string, at: number, generatedText: string | null): void {
    if (this.ended) return;
    if (this.tokens === 0) this.firstAt = at;
    else this.gaps.push(at - this.lastAt);
    this.lastAt = at;
    this.tokens += 1;
    this.text += text;
    if (generatedText !== null) this.finalText = generatedText;
    this.#onToken(at);
  }

  /** The server ended the stream (complete, end of body). */
  complete(): void {
    if (this.ended) return;
    if (this.finalText === null) this.fail('completed without a final event');
    else this.#end();
  }

  /**
   * The end marker of a stream whose events carry no final text (a chat stream's
   * `[DONE]`, chatStream's `complete`): the final text is what the deltas made.
   */
  finish(): void {
    if (this.ended) return;
    this.finalText = this.text;
    this.#end();
  }

  fail(reason: string): void {
    if (this.ended) return;
    this.failure = reason;
    this.#end();
  }

  #end(): void {
    if (this.ended) return;
    this.ended = true;
    this.#onEnd();
  }
}

export function checkStreams(records: readonly StreamRecord[], expected: readonly string[], tokens: number): StreamCheck {
  const check: StreamCheck = { ok: 0, lost: 0, garbled: 0, examples: [] };
  const example = (text: string) => check.examples.length < 5 && check.examples.push(text);
  for (const r of records) {
    const want = expected[r.index];
    if (r.failure !== undefined || !r.ended) {
      check.lost += 1;
      example(`stream ${r.index}: lost after ${r.tokens} tokens (${r.failure ?? 'never ended'})`);
    } else if (r.text !== want || r.finalText !== want || r.tokens !== tokens) {
      check.garbled += 1;
      example(`stream ${r.index}: ${r.tokens}/${tokens} tokens, got ${JSON.stringify(r.text.slice(0, 80))}, final ${JSON.stringify(r.finalText?.slice(0, 80))}, expected ${JSON.stringify(want?.slice(0, 80))}`);
    } else check.ok += 1;
  }
  return check;
}
