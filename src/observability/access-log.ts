// One log line per generation request when it is over, whichever transport it
// came by and however it ended (refused included): what an operator searches
// for first. A request refused at a transport's door, before any operation,
// gets its line in the door's log instead.
import type { AnswerReport, GenerationRefusal, GenerationReport } from '../generation/report.ts';
import type { Logger } from '../logger.ts';
import type { Observer, Refusal } from './observer.ts';

/** What a refusal's line says of a generation that never began. */
const NOTHING_YET = { replica: undefined, attempts: 0, continuations: 0, promptTokens: null, generatedTokens: 0, timeToFirstTokenMs: null, totalMs: 0 } as const;

export class AccessLog implements Observer {
  readonly #logger: Logger;
  readonly #door: Logger;

  /** `door`: the log of the transports' front door, where their refusals are told. */
  constructor(logger: Logger, door: Logger) {
    this.#logger = logger;
    this.#door = door;
  }

  finished(report: GenerationReport): void {
    // A client that left is routine; a failure of the gateway or upstream is worth a look.
    const level = report.ending === 'error' || report.ending === 'timeout' ? 'warn' : 'info';
    this.#logger[level](fields(report), 'generation finished');
  }

  refused(refusal: Refusal): void {
    if (refusal.stage === 'door') {
      this.#door.info({ requestId: refusal.requestId, transport: refusal.transport, code: refusal.code }, 'request refused');
      return;
    }
    // A client that left while it was admitted was not refused: its line reads as any ending's.
    this.#logger.info(fields({ ...refusal, ...NOTHING_YET }), refusal.ending === 'refused' ? 'generation refused' : 'generation finished');
  }

  /**
   * A line of its own, found by its requestId: a unary answer is checked after
   * its generation's line was written. Tool names are here, not in the metrics.
   */
  checked(answer: AnswerReport): void {
    const { request } = answer;
    this.#logger.info({
      requestId: request.requestId,
      caller: request.caller.id,
      model: answer.model,
      protocol: answer.protocol,
      operation: request.operation,
      transport: request.transport,
      toolChoice: answer.toolChoice,
      toolCalls: answer.toolCalls,
      format: answer.format,
      content: answer.content,
    }, 'answer checked');
  }
}

/** A generation's report, or a refusal's, with nothing yet to say of a generation. */
type Line = Omit<GenerationReport, 'protocol' | 'code' | 'ending'> & Pick<GenerationRefusal, 'protocol'> & { readonly code: string; readonly ending: string };

function fields(report: Line): Record<string, unknown> {
  const { request } = report;
  return {
    requestId: request.requestId,
    caller: request.caller.id,
    model: report.model,
    protocol: report.protocol,
    replica: report.replica,
    routing: report.routing,
    operation: request.operation,
    transport: request.transport,
    code: report.code,
    ending: report.ending,
    attempts: report.attempts,
    continuations: report.continuations,
    promptTokens: report.promptTokens,
    generatedTokens: report.generatedTokens,
    timeToFirstTokenMs: report.timeToFirstTokenMs === null ? null : round(report.timeToFirstTokenMs),
    totalMs: round(report.totalMs),
  };
}

const round = (ms: number) => Math.round(ms * 10) / 10;
