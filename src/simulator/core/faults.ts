// Runtime fault switchboard. Generation faults can be limited to the next `times`
// generation requests; each request takes one snapshot on arrival so a fault changed
// mid-request does not change that request's fate.

import type { SimulatorFaults } from './types.ts';

export type GenerationFaults = Omit<SimulatorFaults, 'unhealthy' | 'stallInfo' | 'metricsStatus' | 'times'>;

const BOOLEAN_FAULTS = ['unhealthy', 'stallInfo', 'refuseConnections', 'overloaded', 'stallBeforeHeaders'] as const;
const COUNT_FAULTS = ['stallAfterTokens', 'dropAfterTokens', 'errorAfterTokens', 'times'] as const;

export class FaultBoard {
  #faults: SimulatorFaults = {};

  constructor(initial: SimulatorFaults) {
    this.set(initial);
  }

  current(): SimulatorFaults {
    return { ...this.#faults };
  }

  set(update: Partial<SimulatorFaults>): void {
    assertFaults(update);
    const merged: SimulatorFaults = { ...this.#faults, ...update };
    for (const key of Object.keys(merged) as (keyof SimulatorFaults)[]) {
      if (merged[key] === undefined) delete merged[key];
    }
    this.#faults = merged;
  }

  clear(): void {
    this.#faults = {};
  }

  isUnhealthy(): boolean {
    return this.#faults.unhealthy === true;
  }

  isInfoStalled(): boolean {
    return this.#faults.stallInfo === true;
  }

  /** The status GET /metrics answers instead of its page; undefined when it has one. */
  metricsStatus(): number | undefined {
    return this.#faults.metricsStatus;
  }

  /** The generation faults for one arriving generation request (counts down `times`). */
  takeForRequest(): GenerationFaults {
    const { unhealthy, stallInfo, metricsStatus, times, ...generation } = this.#faults;
    if (!hasGenerationFault(generation)) return {};
    if (times !== undefined) {
      // Faults of other routes outlive the count.
      const kept: SimulatorFaults = {};
      if (unhealthy) kept.unhealthy = true;
      if (stallInfo) kept.stallInfo = true;
      if (metricsStatus !== undefined) kept.metricsStatus = metricsStatus;
      if (times <= 0) {
        this.#faults = kept;
        return {};
      }
      const left = times - 1;
      this.#faults = left > 0 ? { ...this.#faults, times: left } : kept;
    }
    return generation;
  }
}

export function hasGenerationFault(faults: GenerationFaults): boolean {
  return Object.values(faults).some((value) => value !== undefined && value !== false);
}

/** Throws a TypeError naming the first malformed field, so the control route can echo it. */
export function assertFaults(value: unknown): asserts value is Partial<SimulatorFaults> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError('faults must be a JSON object');
  }
  const record = value as Record<string, unknown>;
  for (const key of BOOLEAN_FAULTS) {
    const field = record[key];
    if (field !== undefined && typeof field !== 'boolean') throw new TypeError(`fault ${key} must be a boolean`);
  }
  for (const key of COUNT_FAULTS) {
    const field = record[key];
    if (field !== undefined && !(Number.isInteger(field) && (field as number) >= 0)) {
      throw new TypeError(`fault ${key} must be a non-negative integer`);
    }
  }
  for (const key of ['httpStatus', 'metricsStatus'] as const) {
    const status = record[key];
    if (status !== undefined && !(Number.isInteger(status) && (status as number) >= 400 && (status as number) <= 599)) {
      throw new TypeError(`fault ${key} must be an integer from 400 to 599`);
    }
  }
  const tied = record['requestTiedError'];
  if (tied !== undefined && tied !== 'contextShift' && tied !== 'outputFormat') {
    throw new TypeError('fault requestTiedError must be "contextShift" or "outputFormat"');
  }
  const badJson = record['badJson'];
  if (badJson !== undefined && badJson !== 'not-json' && badJson !== 'breaks-schema') {
    throw new TypeError('fault badJson must be "not-json" or "breaks-schema"');
  }
  const known = new Set<string>([...BOOLEAN_FAULTS, ...COUNT_FAULTS, 'httpStatus', 'metricsStatus', 'requestTiedError', 'badJson']);
  const unknown = Object.keys(record).find((key) => !known.has(key));
  if (unknown !== undefined) throw new TypeError(`unknown fault ${unknown}`);
}
