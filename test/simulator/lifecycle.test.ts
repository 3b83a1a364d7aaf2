import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/simulator/index.ts';
import { postJson, readUntil, sleep, useSimulator, waitFor } from './helpers.ts';

const start = useSimulator();
const slowRequest = { inputs: 'Long answer', parameters: { max_new_tokens: 500 } };

function countEvents(text: string): number {
  return text.split('\n\n').filter((block) => block.startsWith('data: ')).length;
}

describe('client disconnects', () => {
  it('stop a stream at once: counted as aborted, permit freed, no token after the abort', async () => {
    const simulator = await start({ timePerTokenMs: 5 });
    const controller = new AbortController();
    const response = await postJson(simulator, '/generate_stream', slowRequest, controller.signal);
    await readUntil(response, (text) => countEvents(text) >= 3);
    controller.abort();
    await waitFor(() => simulator.stats().abortedStreams === 1);
    const generated = simulator.stats().tokensGenerated;
    await sleep(40);
    expect(simulator.stats()).toMatchObject({
      activeStreams: 0,
      completedStreams: 0,
      abortedStreams: 1,
      permitsInUse: 0,
      tokensAfterAbort: 0,
      tokensGenerated: generated,
    });
    expect(generated).toBeLessThan(500);
    expect(await (await fetch(`${simulator.url}/metrics`)).text()).toContain('tgi_request_failure{err="dropped"} 1');
  });

  it('stop a pending /generate: counted as an aborted generation', async () => {
    const simulator = await start({ timePerTokenMs: 5 });
    await expect(postJson(simulator, '/generate', slowRequest, AbortSignal.timeout(40))).rejects.toThrow();
    await waitFor(() => simulator.stats().abortedGenerations === 1);
    expect(simulator.stats()).toMatchObject({ activeGenerations: 0, permitsInUse: 0, tokensAfterAbort: 0 });
  });
});

describe('concurrency limit (max_concurrent_requests)', () => {
  it('overloads further requests while every permit is held, and frees permits at the end', async () => {
    const simulator = await start({ maxConcurrentRequests: 1, timePerTokenMs: 5 });
    const controller = new AbortController();
    const first = await postJson(simulator, '/generate_stream', slowRequest, controller.signal);
    await readUntil(first, (text) => countEvents(text) >= 1);
    expect((await postJson(simulator, '/generate', { inputs: 'x' })).status).toBe(429);
    const overloaded = await (await postJson(simulator, '/generate_stream', { inputs: 'x' })).text();
    expect(overloaded).toBe('data: {"error":"Model is overloaded","error_type":"overloaded"}\n\n');
    controller.abort();
    await waitFor(() => simulator.stats().permitsInUse === 0);
    expect((await postJson(simulator, '/generate', { inputs: 'x', parameters: { max_new_tokens: 1 } })).status).toBe(200);
  });

  it('takes one permit per best_of sequence', async () => {
    const simulator = await start({ maxConcurrentRequests: 1 });
    const response = await postJson(simulator, '/generate', { inputs: 'x', parameters: { best_of: 2, do_sample: true } });
    expect(response.status).toBe(429);
  });
});

describe('timing', () => {
  it('waits timeToFirstTokenMs, then timePerTokenMs per token', async () => {
    const simulator = await start({ timeToFirstTokenMs: 40, timePerTokenMs: 15 });
    const began = performance.now();
    const response = await postJson(simulator, '/generate', { inputs: 'x', parameters: { max_new_tokens: 5 } });
    await response.text();
    expect(performance.now() - began).toBeGreaterThanOrEqual(40 + 4 * 15 - 5);
    expect(Number(response.headers.get('x-inference-time'))).toBeGreaterThanOrEqual(95);
  });

  it('applies setTiming to the requests that follow', async () => {
    const simulator = await start({ timeToFirstTokenMs: 60_000 });
    simulator.setTiming({ timeToFirstTokenMs: 1 });
    const response = await postJson(simulator, '/generate', { inputs: 'x', parameters: { max_new_tokens: 2 } });
    expect(response.status).toBe(200);
    expect(() => simulator.setTiming({ timePerTokenMs: -1 })).toThrow(RangeError);
  });
});

describe('close()', () => {
  function openRaw(port: number, path: string, body: string): Socket {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    socket.write(
      `POST ${path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    return socket;
  }

  const timerCount = (): number =>
    process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout' || kind === 'Immediate').length;

  it('ends streams, stalled requests and idle connections, and leaves no timer behind', async () => {
    const baseline = timerCount();
    const simulator = await startSimulator({ timeToFirstTokenMs: 1, timePerTokenMs: 50, keepAliveMs: 1000 });
    const body = JSON.stringify(slowRequest);
    const sockets = [openRaw(simulator.port, '/generate_stream', body), openRaw(simulator.port, '/generate', body)];
    simulator.setFaults({ stallBeforeHeaders: true, times: 1 });
    sockets.push(openRaw(simulator.port, '/generate', body));
    await waitFor(() => simulator.stats().tokensGenerated >= 2 && simulator.stats().activeGenerations === 2);
    expect(timerCount()).toBeGreaterThan(baseline);

    await simulator.close();

    expect(simulator.stats()).toMatchObject({ activeStreams: 0, activeGenerations: 0, openConnections: 0, permitsInUse: 0 });
    expect(simulator.stats().tokensAfterAbort).toBe(0);
    expect(timerCount()).toBe(baseline);
    await Promise.all(sockets.map((socket) => new Promise((resolve) => (socket.destroyed ? resolve(null) : socket.on('close', resolve)))));
    await expect(fetch(`${simulator.url}/health`)).rejects.toThrow();
  });

  it('can be called twice', async () => {
    const simulator = await startSimulator();
    await Promise.all([simulator.close(), simulator.close()]);
    await simulator.close();
  });
});
