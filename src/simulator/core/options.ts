// Defaults mirror a TGI v3 launcher started with no limits flags.

import type { SimulatorFlavour, SimulatorOptions, SimulatorTiming } from './types.ts';

export const DEFAULT_OPTIONS: Readonly<SimulatorOptions> = {
  protocol: 'tgi',
  flavour: 'vllm',
  host: '127.0.0.1',
  port: 0,
  modelId: 'simulator/tiny-llm',
  servedModelName: null,
  apiKey: null,
  health: true,
  maxInputTokens: 4095,
  maxTotalTokens: 4096,
  maxConcurrentRequests: 128,
  maxStopSequences: 4,
  maxBestOf: 2,
  timeToFirstTokenMs: 20,
  timePerTokenMs: 10,
  keepAliveMs: 15_000,
  faults: {},
  lineEnding: '\n',
  chunkBytes: 0,
  reportsUsage: true,
  maxBatchSize: 0,
  prefillMsPerToken: 0,
  prefixCacheBlocks: 0,
  autoToolChoice: true,
};

export const FLAVOURS: readonly SimulatorFlavour[] = ['vllm', 'llamacpp', 'llamacpp-legacy'];

/** Whether the simulator is llama.cpp's server (either build). */
export const isLlamaCpp = (options: SimulatorOptions): boolean => options.protocol === 'openai' && options.flavour !== 'vllm';

const COUNT_FIELDS = [
  'port',
  'maxInputTokens',
  'maxTotalTokens',
  'maxConcurrentRequests',
  'maxStopSequences',
  'maxBestOf',
  'chunkBytes',
  'maxBatchSize',
  'prefixCacheBlocks',
] as const;

export function resolveOptions(partial: Partial<SimulatorOptions> = {}): SimulatorOptions {
  const options: SimulatorOptions = { ...DEFAULT_OPTIONS, ...partial, faults: { ...partial.faults } };
  for (const field of COUNT_FIELDS) {
    if (!Number.isInteger(options[field]) || options[field] < 0) {
      throw new RangeError(`simulator option ${field} must be a non-negative integer, got ${options[field]}`);
    }
  }
  if (options.maxInputTokens >= options.maxTotalTokens) {
    throw new RangeError('simulator option maxInputTokens must be below maxTotalTokens');
  }
  if (options.maxBestOf < 1 || options.maxConcurrentRequests < 1) {
    throw new RangeError('simulator options maxBestOf and maxConcurrentRequests must be at least 1');
  }
  if (options.protocol !== 'tgi' && options.protocol !== 'openai') {
    throw new RangeError(`simulator option protocol must be "tgi" or "openai", got ${String(options.protocol)}`);
  }
  if (!FLAVOURS.includes(options.flavour)) {
    throw new RangeError(`simulator option flavour must be one of ${FLAVOURS.join(', ')}, got ${String(options.flavour)}`);
  }
  for (const field of ['servedModelName', 'apiKey'] as const) {
    const value: unknown = options[field];
    if (value !== null && !(typeof value === 'string' && value !== '')) {
      throw new RangeError(`simulator option ${field} must be a non-empty string or null`);
    }
  }
  for (const field of ['health', 'reportsUsage', 'autoToolChoice'] as const) {
    if (typeof options[field] !== 'boolean') throw new RangeError(`simulator option ${field} must be a boolean`);
  }
  if (options.lineEnding !== '\n' && options.lineEnding !== '\r\n') {
    throw new RangeError('simulator option lineEnding must be "\\n" or "\\r\\n"');
  }
  assertDurations({ timeToFirstTokenMs: options.timeToFirstTokenMs, timePerTokenMs: options.timePerTokenMs });
  if (!(Number.isFinite(options.prefillMsPerToken) && options.prefillMsPerToken >= 0)) {
    throw new RangeError('simulator option prefillMsPerToken must be a non-negative number of milliseconds');
  }
  if (!(options.keepAliveMs > 0)) {
    throw new RangeError('simulator option keepAliveMs must be positive');
  }
  return options;
}

/** The name clients must send as `model` in openai mode. */
export function servedModelName(options: SimulatorOptions): string {
  return options.servedModelName ?? options.modelId;
}

export function assertDurations(timing: Partial<SimulatorTiming>): void {
  for (const name of ['timeToFirstTokenMs', 'timePerTokenMs'] as const) {
    const value: unknown = timing[name];
    if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value) && value >= 0)) {
      throw new RangeError(`simulator timing ${name} must be a non-negative number of milliseconds`);
    }
  }
}
