// generateStream over graphql-ws: tokens relayed one by one, failures as one
// error payload, and an unsubscribe or a closed socket ends the TGI request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { GenerateDocument, GenerateStreamDocument, type GenerateStreamSubscription } from '../gql/graphql.ts';
import { collectWs, wsClient } from './clients.ts';
import { assertNothingRunning, eventually, startStack, type Stack } from './harness.ts';

const input = (over: Record<string, unknown> = {}) => ({ input: { modelId: 'sim', prompt: 'Tell me about GPUs', maxNewTokens: 12, seed: 7, ...over } });

describe('generateStream over WebSocket', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.stop());

  it('relays every token in order, the last one carrying the full text and details', async () => {
    const client = wsClient(stack.wsUrl);
    const payloads = await collectWs(client, GenerateStreamDocument, input());
    await client.dispose();
    const events = payloads.map((p) => p.data!.generateStream);
    expect(events.map((e) => e.index)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(events.every((e) => e.modelId === 'sim')).toBe(true);
    expect(events.slice(0, -1).every((e) => e.generatedText === null && e.details === null)).toBe(true);
    const last = events.at(-1)!;
    expect(last.details).toEqual({ finishReason: 'LENGTH', generatedTokens: 12, seed: '7' });
    expect(events.map((e) => e.token.text).join('')).toBe(last.generatedText);
  });

  it('carries multi-byte UTF-8 tokens intact', async () => {
    const client = wsClient(stack.wsUrl);
    const payloads = await collectWs(client, GenerateStreamDocument, input({ maxNewTokens: 60, seed: 11 }));
    await client.dispose();
    const text = payloads.at(-1)!.data!.generateStream.generatedText!;
    expect(text).toMatch(/[^\x00-\x7f]/);
    expect(text).not.toContain('\uFFFD');
  });

  it('answers bad input with BAD_USER_INPUT before any upstream call', async () => {
    const before = stack.simulators[0]!.stats().requestsByRoute['POST /generate_stream'] ?? 0;
    const client = wsClient(stack.wsUrl);
    const payloads = await collectWs(client, GenerateStreamDocument, input({ topP: 1.0 }));
    await client.dispose();
    expect(payloads).toHaveLength(1);
    expect(payloads[0]!.data ?? null).toBeNull();
    expect(payloads[0]!.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'topP' });
    expect(stack.simulators[0]!.stats().requestsByRoute['POST /generate_stream'] ?? 0).toBe(before);
  });

  it('ends the upstream generation when the client unsubscribes mid-stream', async () => {
    const sim = stack.simulators[0]!;
    const aborted = sim.stats().abortedStreams;
    const client = wsClient(stack.wsUrl);
    const seen: number[] = [];
    await new Promise<void>((resolve, reject) => {
      const unsubscribe = client.subscribe<GenerateStreamSubscription>(
        { query: GenerateStreamDocument.toString(), variables: input({ maxNewTokens: 1000 }) },
        {
          next: (p) => {
            seen.push(p.data!.generateStream.index);
            if (seen.length === 3) {
              unsubscribe();
              resolve();
            }
          },
          error: reject,
          complete: () => undefined,
        },
      );
    });
    await eventually(() => sim.stats().abortedStreams === aborted + 1, 2000, 'the simulator to see the abort');
    expect(assertNothingRunning(sim)).toBe(true);
    expect(stack.app.services.generation.activeGenerations).toBe(0);
    await client.dispose();
  });

  it('ends the upstream generation when the socket closes', async () => {
    const sim = stack.simulators[0]!;
    const aborted = sim.stats().abortedStreams;
    const client = wsClient(stack.wsUrl);
    await new Promise<void>((resolve) => {
      client.subscribe({ query: GenerateStreamDocument.toString(), variables: input({ maxNewTokens: 1000 }) }, {
        next: () => resolve(),
        error: () => undefined,
        complete: () => undefined,
      });
    });
    await client.dispose(); // closes the socket with the subscription still running
    await eventually(() => sim.stats().abortedStreams === aborted + 1, 2000, 'the simulator to see the abort');
    expect(assertNothingRunning(sim)).toBe(true);
  });

  it('ends the upstream generation as soon as the client\'s close frame arrives, not when the closing handshake ends', async () => {
    const sim = stack.simulators[0]!;
    const aborted = sim.stats().abortedStreams;
    const socket = new WebSocket(stack.wsUrl, 'graphql-transport-ws');
    let raw: Socket | undefined;
    socket.once('upgrade', (res) => (raw = res.socket));
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ type: 'connection_init' }));
    await new Promise((resolve) => socket.once('message', resolve));
    socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: GenerateStreamDocument.toString(), variables: input({ maxNewTokens: 1000 }) } }));
    await new Promise((resolve) => socket.once('message', resolve));
    // The close frame leaves; the client then reads nothing more, so the handshake never
    // completes (until ws's 30 s close timeout): the generation must end before that.
    socket.close(1000);
    raw!.pause();
    await eventually(() => sim.stats().abortedStreams === aborted + 1, 1000, 'the simulator to see the abort');
    socket.terminate();
  });

  it('reports a failure after the first token as one error payload, then completes', async () => {
    const sim = stack.simulators[0]!;
    sim.setFaults({ errorAfterTokens: 3, times: 1 });
    const client = wsClient(stack.wsUrl);
    const payloads = await collectWs(client, GenerateStreamDocument, input());
    await client.dispose();
    expect(payloads.slice(0, 3).map((p) => p.data!.generateStream.index)).toEqual([1, 2, 3]);
    expect(payloads).toHaveLength(4);
    expect(payloads[3]!.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_ERROR', requestId: expect.any(String) });
  });

  it('ends the upstream generation of a mutation the client completes before its answer', async () => {
    const sim = stack.simulators[0]!;
    sim.setTiming({ timePerTokenMs: 10 });
    const aborted = sim.stats().abortedGenerations;
    const client = wsClient(stack.wsUrl);
    const cancel = client.subscribe(
      { query: GenerateDocument.toString(), variables: input({ maxNewTokens: 300 }) },
      { next: () => undefined, error: () => undefined, complete: () => undefined },
    );
    await eventually(() => sim.stats().activeGenerations === 1, 2000, 'the generation to start');
    cancel(); // sends `complete` for the running mutation
    await eventually(() => sim.stats().abortedGenerations === aborted + 1, 1000, 'the simulator to see the abort');
    expect(assertNothingRunning(sim)).toBe(true);
    sim.setTiming({ timePerTokenMs: 2 });
    await client.dispose();
  });

  it("continues the trace of the WebSocket's handshake in the calls to TGI", async () => {
    const socket = new WebSocket(stack.wsUrl, 'graphql-transport-ws', {
      headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
    });
    const messages: { type: string; id?: string }[] = [];
    socket.on('message', (data) => messages.push(JSON.parse(String(data))));
    await new Promise((r) => socket.once('open', r));
    socket.send(JSON.stringify({ type: 'connection_init' }));
    await eventually(() => messages.some((m) => m.type === 'connection_ack'));
    socket.send(JSON.stringify({ id: 't', type: 'subscribe', payload: { query: GenerateStreamDocument.toString(), variables: input({ maxNewTokens: 2 }) } }));
    await eventually(() => messages.some((m) => m.id === 't' && m.type === 'complete'));
    expect(stack.simulators[0]!.stats().lastGenerationHeaders.traceparent).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/);
    socket.close();
  });

  it('answers a syntax error on that operation only, keeping the socket open', async () => {
    const socket = new WebSocket(stack.wsUrl, 'graphql-transport-ws');
    const messages: { type: string; id?: string; payload?: unknown }[] = [];
    socket.on('message', (data) => messages.push(JSON.parse(String(data))));
    await new Promise((r) => socket.once('open', r));
    socket.send(JSON.stringify({ type: 'connection_init' }));
    await eventually(() => messages.some((m) => m.type === 'connection_ack'));
    socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 'subscription {' } }));
    await eventually(() => messages.some((m) => m.id === '1'));
    expect(messages.find((m) => m.id === '1')!.type).toBe('error');
    socket.send(JSON.stringify({ id: '2', type: 'subscribe', payload: { query: '{ info { name } }' } }));
    await eventually(() => messages.some((m) => m.id === '2' && m.type === 'next'));
    expect(socket.readyState).toBe(WebSocket.OPEN);
    socket.close();
  });
});
