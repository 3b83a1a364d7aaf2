// What happened to each stream, counted. Every stream ends in exactly one
// outcome, decided by whichever end comes first.

export type ClientEnd = 'unsubscribe' | 'close' | 'abort';

export type Outcome =
  /** The last event (with generatedText) arrived, then the subscription completed. */
  | { kind: 'completed'; tokens: number }
  /** The bench ended it on purpose: unsubscribe, WebSocket close or SSE fetch abort. */
  | { kind: 'client-ended'; how: ClientEnd; tokens: number }
  /** The gateway answered with a GraphQL error; `code` is its extensions.code. */
  | { kind: 'error'; code: string; tokens: number }
  /** The transport failed: unexpected close, failed fetch, non-200, or a stream that never ended. */
  | { kind: 'transport'; detail: string; tokens: number };

export class Tally {
  started = 0;
  completed = 0;
  tokens = 0;
  readonly clientEnded: Record<ClientEnd, number> = { unsubscribe: 0, close: 0, abort: 0 };
  /** Keyed by a short class of failure only, so that the map stays small over hours. */
  readonly errors = new Map<string, number>();
  readonly transport = new Map<string, number>();

  get finished(): number {
    return this.completed + this.clientEndedTotal + this.errorsTotal + this.transportTotal;
  }

  get clientEndedTotal(): number {
    return this.clientEnded.unsubscribe + this.clientEnded.close + this.clientEnded.abort;
  }

  get errorsTotal(): number {
    return sum(this.errors);
  }

  get transportTotal(): number {
    return sum(this.transport);
  }

  start(): void {
    this.started += 1;
  }

  record(outcome: Outcome): void {
    this.tokens += outcome.tokens;
    switch (outcome.kind) {
      case 'completed':
        this.completed += 1;
        break;
      case 'client-ended':
        this.clientEnded[outcome.how] += 1;
        break;
      case 'error':
        bump(this.errors, outcome.code);
        break;
      case 'transport':
        bump(this.transport, outcome.detail);
        break;
    }
  }
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function sum(map: Map<string, number>): number {
  let total = 0;
  for (const n of map.values()) total += n;
  return total;
}
