import { describe, expect, it } from 'vitest';
import { postJson, useSimulator } from './helpers.ts';

const start = useSimulator();

describe('health, info and housekeeping routes', () => {
  it('answers GET /health, GET / and GET /ping with 200 and an empty body', async () => {
    const simulator = await start();
    for (const path of ['/health', '/', '/ping']) {
      const response = await fetch(simulator.url + path);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('');
    }
  });

  it('answers 503 with the healthcheck error when unhealthy', async () => {
    const simulator = await start({ faults: { unhealthy: true } });
    const response = await fetch(`${simulator.url}/health`);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ error: 'unhealthy', error_type: 'healthcheck' });
  });

  it('describes the model and limits in the v3 /info shape', async () => {
    const simulator = await start({ modelId: 'acme/test-model', maxInputTokens: 1023, maxTotalTokens: 1024 });
    const info = await (await fetch(`${simulator.url}/info`)).json();
    expect(info).toEqual({
      model_id: 'acme/test-model',
      model_sha: null,
      model_pipeline_tag: 'text-generation',
      max_concurrent_requests: 128,
      max_best_of: 2,
      max_stop_sequences: 4,
      max_input_tokens: 1023,
      max_total_tokens: 1024,
      validation_workers: 2,
      max_client_batch_size: 4,
      router: 'text-generation-router',
      version: '3.3.6-dev0',
      sha: null,
      docker_label: null,
    });
  });

  it('lists the served model on GET /v1/models', async () => {
    const simulator = await start();
    expect(await (await fetch(`${simulator.url}/v1/models`)).json()).toEqual({
      object: 'list',
      data: [{ id: 'simulator/tiny-llm', object: 'model', created: 0, owned_by: 'simulator/tiny-llm' }],
    });
  });

  it('exposes Prometheus counters on GET /metrics', async () => {
    const simulator = await start();
    await (await postJson(simulator, '/generate', { inputs: 'hi', parameters: { max_new_tokens: 3 } })).text();
    await (await postJson(simulator, '/generate', { inputs: 'hi', parameters: { top_k: 0 } })).text();
    const response = await fetch(`${simulator.url}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toContain('tgi_request_count 2\n');
    expect(text).toContain('tgi_request_success 1\n');
    expect(text).toContain('tgi_request_failure{err="validation"} 1\n');
    expect(text).toContain('tgi_queue_size 0\n');
    expect(text).toContain('tgi_request_generated_tokens_sum 3\n');
    expect(text).toContain('tgi_request_generated_tokens_count 1\n');
  });

  it('answers an unknown path with 404 and a wrong method with 405, both empty', async () => {
    const simulator = await start();
    const missing = await fetch(`${simulator.url}/nope`);
    expect([missing.status, await missing.text()]).toEqual([404, '']);
    const wrongMethod = await fetch(`${simulator.url}/generate`);
    expect([wrongMethod.status, await wrongMethod.text()]).toEqual([405, '']);
  });

  it('counts requests by route', async () => {
    const simulator = await start();
    await (await fetch(`${simulator.url}/health`)).text();
    await (await fetch(`${simulator.url}/health`)).text();
    await (await fetch(`${simulator.url}/elsewhere`)).text();
    expect(simulator.stats().requestsByRoute).toEqual({ 'GET /health': 2, other: 1 });
  });
});
