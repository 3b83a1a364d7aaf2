// One log line per generation request when it is over, whichever transport it
// came by and however it ended: what an operator searches for first.
import type { GenerationObserver, GenerationReport } from '../generation/report.ts';
import type { Logger } from '../logger.ts';

export class AccessLog implements GenerationObserver {
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  finished(report: GenerationReport): void {
    const { request } = report;
    const fields = {
      requestId: request.requestId,
      caller: request.caller.id,
      model: report.model,
      protocol: report.protocol,
      replica: report.replica,
      operation: request.operation,
      transport: request.transport,
      code: report.code,
      ending: report.ending,
      attempts: report.attempts,
      promptTokens: report.promptTokens,
      generatedTokens: report.generatedTokens,
      timeToFirstTokenMs: report.timeToFirstTokenMs === null ? null : round(report.timeToFirstTokenMs),
      totalMs: round(report.totalMs),
    };
    // A refusal or a client that left is routine; a failure of the gateway or upstream is worth a look.
    const level = report.ending === 'error' || report.ending === 'timeout' ? 'warn' : 'info';
    this.#logger[level](fields, report.ending === 'refused' ? 'generation refused' : 'generation finished');
  }
}

const round = (ms: number) => Math.round(ms * 10) / 10;

/** Several observers as one. */
export function observeAll(...observers: GenerationObserver[]): GenerationObserver {
  return {
    finished: (report) => {
      for (const observer of observers) observer.finished(report);
    },
  };
}
