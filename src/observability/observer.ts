// What operators are told, through one interface: every generation when it
// ends, and every request turned away before one began, whoever turned it
// away: a transport at its door (no key, cross-site, too large, malformed)
// or the generation service (bad input, limits, permissions, draining); and
// what the checks of each tool or JSON answer found.
import type { AnswerReport, GenerationObserver, GenerationRefusal, GenerationReport } from '../generation/report.ts';

/** A request a transport refused before any operation ran. */
export interface DoorRefusal {
  readonly stage: 'door';
  readonly transport: string;
  readonly code: string;
  readonly requestId: string | undefined;
}

export type Refusal = DoorRefusal | GenerationRefusal;

export interface Observer extends GenerationObserver {
  finished(report: GenerationReport): void;
  refused(refusal: Refusal): void;
  checked(answer: AnswerReport): void;
}

/** Several observers as one. */
export function observeAll(...observers: Observer[]): Observer {
  return {
    finished: (report) => {
      for (const observer of observers) observer.finished(report);
    },
    refused: (refusal) => {
      for (const observer of observers) observer.refused(refusal);
    },
    checked: (answer) => {
      for (const observer of observers) observer.checked(answer);
    },
  };
}
