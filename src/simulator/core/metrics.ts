// GET /metrics in Prometheus text format, limited to the series a gateway is likely to scrape.
// The OpenAI-compatible mode serves the same TGI-named series (vLLM's own are not simulated).

import type { ServerResponse } from 'node:http';
import type { SimulatorContext } from './context.ts';
import type { PrometheusCounters } from './stats.ts';

const FAILURE_LABELS = ['validation', 'overloaded', 'generation', 'incomplete', 'dropped'];

function histogram(name: string, sum: number, count: number): string[] {
  return [
    `# TYPE ${name} histogram`,
    `${name}_bucket{le="+Inf"} ${count}`,
    `${name}_sum ${sum}`,
    `${name}_count ${count}`,
  ];
}

function renderMetrics(p: PrometheusCounters): string {
  const failureLabels = new Set([...FAILURE_LABELS, ...p.failures.keys()]);
  const lines = [
    '# TYPE tgi_request_count counter',
    `tgi_request_count ${p.requestCount}`,
    '# TYPE tgi_request_success counter',
    `tgi_request_success ${p.requestSuccess}`,
    '# TYPE tgi_request_failure counter',
    ...[...failureLabels].map((label) => `tgi_request_failure{err="${label}"} ${p.failures.get(label) ?? 0}`),
    '# TYPE tgi_queue_size gauge',
    `tgi_queue_size ${p.queueSize}`,
    ...histogram('tgi_request_generated_tokens', p.generatedTokensSum, p.generatedTokensCount),
    ...histogram('tgi_request_duration', p.durationSecondsSum, p.durationCount),
  ];
  return `${lines.join('\n')}\n`;
}

export function sendMetrics(context: SimulatorContext, res: ServerResponse): void {
  const text = renderMetrics(context.stats.prometheus);
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
