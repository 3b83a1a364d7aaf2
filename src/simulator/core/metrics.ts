// GET /metrics in Prometheus text format, limited to the series a gateway is likely to scrape.
// The load of the engine (engine.ts) is told in the protocol's own names: TGI's queue and
// batch gauges, and in openai mode vLLM's (or llama.cpp's) waiting, running and KV-cache gauges too (its
// other series are not simulated; the TGI-named counters stay in both modes).

import type { ServerResponse } from 'node:http';
import type { SimulatorContext } from './context.ts';
import type { Engine } from './engine.ts';
import { isLlamaCpp } from './options.ts';
import type { PrometheusCounters } from './stats.ts';
import type { SimulatorOptions } from './types.ts';

const FAILURE_LABELS = ['validation', 'overloaded', 'generation', 'incomplete', 'dropped'];

function histogram(name: string, sum: number, count: number): string[] {
  return [
    `# TYPE ${name} histogram`,
    `${name}_bucket{le="+Inf"} ${count}`,
    `${name}_sum ${sum}`,
    `${name}_count ${count}`,
  ];
}

function llamacppGauges(waiting: number, engine: Engine): string[] {
  return [
    '# TYPE llamacpp:requests_processing gauge',
    `llamacpp:requests_processing ${engine.running}`,
    '# TYPE llamacpp:requests_deferred gauge',
    `llamacpp:requests_deferred ${waiting}`,
    '# TYPE llamacpp:kv_cache_usage_ratio gauge',
    `llamacpp:kv_cache_usage_ratio ${engine.kvCacheUsage}`,
  ];
}

function vllmGauges(waiting: number, engine: Engine, model: string): string[] {
  const labels = `{model_name=${JSON.stringify(model)}}`;
  return [
    '# TYPE vllm:num_requests_running gauge',
    `vllm:num_requests_running${labels} ${engine.running}`,
    '# TYPE vllm:num_requests_waiting gauge',
    `vllm:num_requests_waiting${labels} ${waiting}`,
    '# TYPE vllm:kv_cache_usage_perc gauge',
    `vllm:kv_cache_usage_perc${labels} ${engine.kvCacheUsage}`,
  ];
}

function renderMetrics(p: PrometheusCounters, engine: Engine, options: SimulatorOptions): string {
  // Waiting for a concurrency slot, then in the engine's queue.
  const waiting = p.queueSize + engine.waiting;
  const failureLabels = new Set([...FAILURE_LABELS, ...p.failures.keys()]);
  const lines = [
    '# TYPE tgi_request_count counter',
    `tgi_request_count ${p.requestCount}`,
    '# TYPE tgi_request_success counter',
    `tgi_request_success ${p.requestSuccess}`,
    '# TYPE tgi_request_failure counter',
    ...[...failureLabels].map((label) => `tgi_request_failure{err="${label}"} ${p.failures.get(label) ?? 0}`),
    '# TYPE tgi_queue_size gauge',
    `tgi_queue_size ${waiting}`,
    '# TYPE tgi_batch_current_size gauge',
    `tgi_batch_current_size ${engine.running}`,
    ...histogram('tgi_request_generated_tokens', p.generatedTokensSum, p.generatedTokensCount),
    ...histogram('tgi_request_duration', p.durationSecondsSum, p.durationCount),
    ...(options.protocol !== 'openai' ? [] : isLlamaCpp(options) ? llamacppGauges(waiting, engine) : vllmGauges(waiting, engine, options.servedModelName ?? options.modelId)),
  ];
  return `${lines.join('\n')}\n`;
}

export function sendMetrics(context: SimulatorContext, res: ServerResponse): void {
  const status = context.faults.metricsStatus();
  if (status !== undefined) {
    res.writeHead(status, { 'content-length': 0 });
    res.end();
    return;
  }
  const text = renderMetrics(context.stats.prometheus, context.engine, context.options);
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
