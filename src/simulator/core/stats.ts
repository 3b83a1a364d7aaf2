// Counters behind both GET /__simulator/stats and the Prometheus /metrics page.

import type { SimulatorStats } from './types.ts';

export type ExchangeKind = 'stream' | 'generation';
export type ExchangeOutcome = 'completed' | 'errored' | 'aborted' | 'dropped';

type Counters = Omit<SimulatorStats, 'requestsByRoute' | 'permitsInUse' | 'openConnections' | 'unsentBytes' | 'lastGenerationHeaders' | 'lastGenerationSeed'>;

const OUTCOME_FIELD: Record<ExchangeKind, Record<ExchangeOutcome, keyof Counters>> = {
  stream: { completed: 'completedStreams', errored: 'erroredStreams', aborted: 'abortedStreams', dropped: 'droppedStreams' },
  generation: {
    completed: 'completedGenerations',
    errored: 'erroredGenerations',
    aborted: 'abortedGenerations',
    dropped: 'droppedGenerations',
  },
};

export interface PrometheusCounters {
  requestCount: number;
  requestSuccess: number;
  failures: Map<string, number>;
  generatedTokensSum: number;
  generatedTokensCount: number;
  durationSecondsSum: number;
  durationCount: number;
  /** Requests waiting for a concurrency slot (llama.cpp's flavour), before the engine's queue. */
  queueSize: number;
}

export class StatsRecorder {
  readonly counters: Counters = {
    activeStreams: 0, completedStreams: 0, erroredStreams: 0, abortedStreams: 0, droppedStreams: 0,
    activeGenerations: 0, completedGenerations: 0, erroredGenerations: 0, abortedGenerations: 0, droppedGenerations: 0,
    refusedConnections: 0, faultedRequests: 0, tokensGenerated: 0, tokensAfterAbort: 0,
  };
  readonly prometheus: PrometheusCounters = {
    requestCount: 0, requestSuccess: 0, failures: new Map(), generatedTokensSum: 0, generatedTokensCount: 0,
    durationSecondsSum: 0, durationCount: 0, queueSize: 0,
  };
  #requestsByRoute: Record<string, number> = {};
  lastGenerationHeaders: SimulatorStats['lastGenerationHeaders'] = {};
  lastGenerationSeed: string | null = null;

  countRoute(route: string): void {
    this.#requestsByRoute[route] = (this.#requestsByRoute[route] ?? 0) + 1;
  }

  begin(kind: ExchangeKind): void {
    this.counters[kind === 'stream' ? 'activeStreams' : 'activeGenerations'] += 1;
  }

  settle(kind: ExchangeKind, outcome: ExchangeOutcome): void {
    this.counters[kind === 'stream' ? 'activeStreams' : 'activeGenerations'] -= 1;
    this.counters[OUTCOME_FIELD[kind][outcome]] += 1;
  }

  succeeded(generatedTokens: number, durationSeconds: number): void {
    const p = this.prometheus;
    p.requestSuccess += 1;
    p.generatedTokensSum += generatedTokens;
    p.generatedTokensCount += 1;
    p.durationSecondsSum += durationSeconds;
    p.durationCount += 1;
  }

  /** Counts a failure under its tgi_request_failure label: validation, overloaded, generation, incomplete, dropped. */
  failed(label: string): void {
    this.prometheus.failures.set(label, (this.prometheus.failures.get(label) ?? 0) + 1);
  }

  snapshot(permitsInUse: number, sockets: ReadonlySet<{ writableLength: number }>): SimulatorStats {
    let unsentBytes = 0;
    for (const socket of sockets) unsentBytes += socket.writableLength;
    return {
      requestsByRoute: { ...this.#requestsByRoute },
      ...this.counters,
      permitsInUse,
      openConnections: sockets.size,
      unsentBytes,
      lastGenerationHeaders: { ...this.lastGenerationHeaders },
      lastGenerationSeed: this.lastGenerationSeed,
    };
  }
}
