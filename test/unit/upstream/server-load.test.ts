import { describe, expect, it } from 'vitest';
import { openaiServerLoad } from '../../../src/upstream/openai/load.ts';
import { readGauges } from '../../../src/upstream/prometheus-text.ts';
import { tgiServerLoad } from '../../../src/upstream/tgi/load.ts';

describe("reading a server's load from its /metrics", () => {
  it("TGI: tgi_queue_size waiting, tgi_batch_current_size running, no cache share", () => {
    const page = [
      '# HELP tgi_queue_size Current queue size',
      '# TYPE tgi_queue_size gauge',
      'tgi_queue_size 7',
      '# TYPE tgi_batch_current_size gauge',
      'tgi_batch_current_size 12',
      'tgi_request_duration_bucket{le="0.5"} 3',
    ].join('\n');
    expect(tgiServerLoad(page)).toEqual({ waiting: 7, running: 12, kvCacheUsage: null });
  });

  it('vLLM: num_requests_waiting and _running, kv_cache_usage_perc (or the older gpu_cache_usage_perc)', () => {
    const v1 = [
      '# TYPE vllm:num_requests_running gauge',
      'vllm:num_requests_running{engine="0",model_name="meta-llama/Llama-3.1-8B"} 3.0',
      'vllm:num_requests_waiting{engine="0",model_name="meta-llama/Llama-3.1-8B"} 2.0',
      'vllm:kv_cache_usage_perc{engine="0",model_name="meta-llama/Llama-3.1-8B"} 0.25',
      'vllm:num_requests_running{engine="1",model_name="meta-llama/Llama-3.1-8B"} 1.0',
      'vllm:num_requests_waiting{engine="1",model_name="meta-llama/Llama-3.1-8B"} 4.0',
      'vllm:kv_cache_usage_perc{engine="1",model_name="meta-llama/Llama-3.1-8B"} 0.5',
    ].join('\n');
    expect(openaiServerLoad(v1)).toEqual({ waiting: 6, running: 4, kvCacheUsage: 0.5 });
    const v0 = 'vllm:num_requests_waiting{model_name="x"} 1.0\nvllm:num_requests_running{model_name="x"} 2.0\nvllm:gpu_cache_usage_perc{model_name="x"} 0.75\n';
    expect(openaiServerLoad(v0)).toEqual({ waiting: 1, running: 2, kvCacheUsage: 0.75 });
  });

  it('SGLang: num_queue_reqs, num_running_reqs, token_usage', () => {
    const page = 'sglang:num_queue_reqs{model_name="m"} 5.0\nsglang:num_running_reqs{model_name="m"} 8.0\nsglang:token_usage{model_name="m"} 0.28\n';
    expect(openaiServerLoad(page)).toEqual({ waiting: 5, running: 8, kvCacheUsage: 0.28 });
  });

  it('llama.cpp: requests_deferred waiting, requests_processing running, kv_cache_usage_ratio', () => {
    const page = '# TYPE llamacpp:requests_processing gauge\nllamacpp:requests_processing 2\nllamacpp:requests_deferred 3\nllamacpp:kv_cache_usage_ratio 0.125\n';
    expect(openaiServerLoad(page)).toEqual({ waiting: 3, running: 2, kvCacheUsage: 0.125 });
  });

  it('knows nothing of a page without a queue gauge of the protocol (the gateway then counts its own)', () => {
    expect(openaiServerLoad('process_cpu_seconds_total 12\n')).toBeUndefined();
    expect(tgiServerLoad('vllm:num_requests_waiting 1\n')).toBeUndefined();
    expect(openaiServerLoad('')).toBeUndefined();
  });

  it('reads label values holding braces, quotes and spaces, and a trailing timestamp', () => {
    const page = 'vllm:num_requests_waiting{model_name="a \\"b\\" {c} d"} 9 1700000000000\nvllm:num_requests_running{model_name="x"} NaN\n';
    expect(readGauges(page, new Set(['vllm:num_requests_waiting', 'vllm:num_requests_running']))).toEqual(new Map([['vllm:num_requests_waiting', [9]]]));
  });
});
