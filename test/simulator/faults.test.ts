import { describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/simulator/index.ts';
import { postJson, readUntil, sleep, sseData, useSimulator, waitFor, type StreamEvent } from './helpers.ts';

const start = useSimulator();
const request = { inputs: 'Fault line', parameters: { max_new_tokens: 6, details: true } };
const CUDA_OOM = {
  error: 'Request failed during generation: Server error: CUDA out of memory. Tried to allocate 2.00 GiB',
  error_type: 'generation',
};

function countEvents(text: string): number {
  return text.split('\n\n').filter((block) => block.startsWith('data: ')).length;
}

describe('fault: refuseConnections', () => {
  it('resets the connection of generation requests without an answer', async () => {
    const simulator = await start({ faults: { refuseConnections: true } });
    await expect(postJson(simulator, '/generate', request)).rejects.toThrow();
    await expect(postJson(simulator, '/generate_stream', request)).rejects.toThrow();
    expect(simulator.stats().refusedConnections).toBe(2);
    expect((await fetch(`${simulator.url}/health`)).status).toBe(200);
  });
});

describe('fault: stallInfo', () => {
  it('leaves /info unanswered while health and generation keep working, and outlives `times`', async () => {
    const simulator = await start({ faults: { stallInfo: true, errorAfterTokens: 1, times: 1 } });
    await expect(fetch(`${simulator.url}/info`, { signal: AbortSignal.timeout(100) })).rejects.toThrow();
    expect((await fetch(`${simulator.url}/health`)).status).toBe(200);
    expect((await postJson(simulator, '/generate', request)).status).toBe(424);
    expect((await postJson(simulator, '/generate', request)).status).toBe(200);
    expect(simulator.stats().unsentBytes).toBe(0);
    await expect(fetch(`${simulator.url}/info`, { signal: AbortSignal.timeout(100) })).rejects.toThrow();
  });
});

describe('fault: httpStatus', () => {
  it('answers 500 with TGI incomplete_generation on both routes', async () => {
    const simulator = await start({ faults: { httpStatus: 500 } });
    for (const path of ['/generate', '/generate_stream']) {
      const response = await postJson(simulator, path, request);
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({ error: 'Incomplete generation', error_type: 'incomplete_generation' });
    }
  });

  it('answers other statuses with a short JSON error', async () => {
    const simulator = await start({ faults: { httpStatus: 503 } });
    const response = await postJson(simulator, '/generate', request);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ error: 'Service Unavailable', error_type: 'http_503' });
  });
});

describe('fault: overloaded', () => {
  it('can be switched on and off at runtime', async () => {
    const simulator = await start();
    simulator.setFaults({ overloaded: true });
    expect((await postJson(simulator, '/generate', request)).status).toBe(429);
    simulator.clearFaults();
    expect((await postJson(simulator, '/generate', request)).status).toBe(200);
  });
});

describe('fault: stallBeforeHeaders', () => {
  it('never answers until the client gives up, which counts as an abort', async () => {
    const simulator = await start({ faults: { stallBeforeHeaders: true } });
    await expect(postJson(simulator, '/generate_stream', request, AbortSignal.timeout(80))).rejects.toThrow();
    await expect(postJson(simulator, '/generate', request, AbortSignal.timeout(80))).rejects.toThrow();
    await waitFor(() => simulator.stats().abortedGenerations === 1 && simulator.stats().abortedStreams === 1);
    expect(simulator.stats()).toMatchObject({ activeStreams: 0, activeGenerations: 0, tokensGenerated: 0 });
  });
});

describe('fault: stallAfterTokens', () => {
  it('sends N tokens then goes silent, without keep-alive, until the client leaves', async () => {
    const simulator = await start({ keepAliveMs: 10, faults: { stallAfterTokens: 2 } });
    const controller = new AbortController();
    const response = await postJson(simulator, '/generate_stream', request, controller.signal);
    const text = await readUntil(response, (sofar) => countEvents(sofar) >= 2);
    await sleep(60);
    expect(simulator.stats()).toMatchObject({ tokensGenerated: 2, activeStreams: 1 });
    controller.abort();
    await waitFor(() => simulator.stats().abortedStreams === 1);
    expect(text.includes(':\n\n')).toBe(false);
  });

  it('keeps /generate from ever answering', async () => {
    const simulator = await start({ faults: { stallAfterTokens: 1 } });
    await expect(postJson(simulator, '/generate', request, AbortSignal.timeout(80))).rejects.toThrow();
    await waitFor(() => simulator.stats().abortedGenerations === 1);
    expect(simulator.stats().tokensGenerated).toBe(1);
  });
});

describe('fault: dropAfterTokens', () => {
  it('destroys the stream socket after N tokens', async () => {
    const simulator = await start({ faults: { dropAfterTokens: 3 } });
    const response = await postJson(simulator, '/generate_stream', request);
    let received = '';
    await expect(
      readUntil(response, (sofar) => {
        received = sofar;
        return false;
      }),
    ).rejects.toThrow();
    expect(countEvents(received)).toBe(3);
    expect(simulator.stats()).toMatchObject({ droppedStreams: 1, abortedStreams: 0, activeStreams: 0, permitsInUse: 0 });
  });

  it('destroys the /generate socket without an answer', async () => {
    const simulator = await start({ faults: { dropAfterTokens: 1 } });
    await expect(postJson(simulator, '/generate', request)).rejects.toThrow();
    expect(simulator.stats()).toMatchObject({ droppedGenerations: 1, activeGenerations: 0 });
  });
});

describe('fault: errorAfterTokens', () => {
  it('sends N tokens, then the generation error event, and ends the stream', async () => {
    const simulator = await start({ faults: { errorAfterTokens: 2 } });
    const events = sseData(await (await postJson(simulator, '/generate_stream', request)).text()) as StreamEvent[];
    expect(events).toHaveLength(3);
    expect(events.slice(0, 2).map((event) => event.index)).toEqual([1, 2]);
    expect(events[2]).toEqual(CUDA_OOM);
    expect(simulator.stats().erroredStreams).toBe(1);
  });

  it('answers /generate with 424 and the generation error', async () => {
    const simulator = await start({ faults: { errorAfterTokens: 0 } });
    const response = await postJson(simulator, '/generate', request);
    expect(response.status).toBe(424);
    expect(await response.json()).toEqual(CUDA_OOM);
  });
});

describe('fault: metricsStatus', () => {
  it('answers /metrics with that status and no page in both modes, while generation keeps working, and outlives `times`', async () => {
    for (const protocol of ['tgi', 'openai'] as const) {
      const simulator = await start({ protocol, faults: { metricsStatus: 404, errorAfterTokens: 1, times: 1 } });
      const missing = await fetch(`${simulator.url}/metrics`);
      expect(missing.status).toBe(404);
      expect(await missing.text()).toBe('');
      simulator.setFaults({ metricsStatus: 501 });
      expect((await fetch(`${simulator.url}/metrics`)).status).toBe(501);
      simulator.clearFaults();
      const page = await fetch(`${simulator.url}/metrics`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('tgi_queue_size');
      expect(simulator.stats().requestsByRoute['GET /metrics']).toBe(3);
    }
    const tgi = await start({ faults: { metricsStatus: 404, errorAfterTokens: 1, times: 1 } });
    expect((await postJson(tgi, '/generate', request)).status).toBe(424);
    expect((await postJson(tgi, '/generate', request)).status).toBe(200);
    expect((await fetch(`${tgi.url}/metrics`)).status).toBe(404);
  });
});

describe('fault: times', () => {
  it('limits generation faults to the next N generation requests, leaving health faults alone', async () => {
    const simulator = await start({ faults: { httpStatus: 502, unhealthy: true, times: 2 } });
    expect((await fetch(`${simulator.url}/health`)).status).toBe(503);
    expect((await postJson(simulator, '/generate', request)).status).toBe(502);
    expect((await postJson(simulator, '/generate_stream', request)).status).toBe(502);
    expect((await postJson(simulator, '/generate', request)).status).toBe(200);
    expect((await fetch(`${simulator.url}/health`)).status).toBe(503);
    expect(simulator.stats().faultedRequests).toBe(2);
  });
});

describe('HTTP control routes under /__simulator/', () => {
  const put = (simulator: Simulator, path: string, body: unknown): Promise<Response> =>
    fetch(simulator.url + path, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('merges PUT /__simulator/faults into the current faults', async () => {
    const simulator = await start();
    await put(simulator, '/__simulator/faults', { unhealthy: true });
    const merged = await put(simulator, '/__simulator/faults', { httpStatus: 500 });
    expect(await merged.json()).toEqual({ unhealthy: true, httpStatus: 500 });
    expect((await fetch(`${simulator.url}/health`)).status).toBe(503);
  });

  it('clears faults with DELETE or with ?reset=1', async () => {
    const simulator = await start({ faults: { unhealthy: true } });
    expect(await (await put(simulator, '/__simulator/faults?reset=1', { overloaded: true })).json()).toEqual({ overloaded: true });
    await fetch(`${simulator.url}/__simulator/faults`, { method: 'DELETE' });
    expect(await (await fetch(`${simulator.url}/__simulator/faults`)).json()).toEqual({});
  });

  it('rejects malformed faults with 400', async () => {
    const simulator = await start();
    const response = await put(simulator, '/__simulator/faults', { dropAfterTokens: 'soon' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'fault dropAfterTokens must be a non-negative integer' });
  });

  it('changes timing with PUT /__simulator/timing', async () => {
    const simulator = await start();
    const response = await put(simulator, '/__simulator/timing', { timeToFirstTokenMs: 2 });
    expect(await response.json()).toEqual({ timeToFirstTokenMs: 2, timePerTokenMs: 1 });
  });

  it('serves the stats as JSON', async () => {
    const simulator = await start();
    await (await postJson(simulator, '/generate', request)).text();
    const stats = await (await fetch(`${simulator.url}/__simulator/stats`)).json();
    expect(stats).toMatchObject({ completedGenerations: 1, tokensGenerated: 6, requestsByRoute: { 'POST /generate': 1 } });
  });
});
