// The load of an OpenAI-compatible server in its own metric names: each
// server family names its queue, its running batch and its KV-cache share
// differently, and the first family found on the page is the server's.
// Ollama exports no /metrics: its replicas fall back to the gateway's count.
import { maxOf, readGauges, sumOf } from '../prometheus-text.ts';
import type { ServerLoad } from '../types.ts';

interface Family {
  readonly waiting: string;
  readonly running: string;
  /** Newest name first: servers renamed theirs. */
  readonly kvCache: readonly string[];
}

const FAMILIES: readonly Family[] = [
  // vLLM (vllm/v1/metrics/loggers.py); kv_cache_usage_perc replaced gpu_cache_usage_perc in its V1 engine.
  { waiting: 'vllm:num_requests_waiting', running: 'vllm:num_requests_running', kvCache: ['vllm:kv_cache_usage_perc', 'vllm:gpu_cache_usage_perc'] },
  // SGLang (python/sglang/srt/metrics/collector.py): token_usage is the share of its KV pool in use.
  { waiting: 'sglang:num_queue_reqs', running: 'sglang:num_running_reqs', kvCache: ['sglang:token_usage'] },
  // llama.cpp's server with --metrics (tools/server/server.cpp): deferred requests wait for a free slot.
  { waiting: 'llamacpp:requests_deferred', running: 'llamacpp:requests_processing', kvCache: ['llamacpp:kv_cache_usage_ratio'] },
];

const NAMES = new Set(FAMILIES.flatMap((f) => [f.waiting, f.running, ...f.kvCache]));

/** Undefined when the page has none of the known queue gauges. */
export function openaiServerLoad(text: string): ServerLoad | undefined {
  const gauges = readGauges(text, NAMES);
  for (const family of FAMILIES) {
    const waiting = sumOf(gauges, family.waiting);
    if (waiting === undefined) continue;
    const kvCache = family.kvCache.map((name) => maxOf(gauges, name)).find((v) => v !== undefined);
    return { waiting, running: sumOf(gauges, family.running) ?? 0, kvCacheUsage: kvCache ?? null };
  }
  return undefined;
}
