import { describe, expect, it } from 'vitest';
import { postJson, rawPost, readUntil, sseData, streamEvents, useSimulator, type StreamEvent } from './helpers.ts';

const start = useSimulator();

describe('POST /generate_stream', () => {
  it('answers 200 with the SSE headers', async () => {
    const simulator = await start();
    const response = await postJson(simulator, '/generate_stream', { inputs: 'Héllo', parameters: { max_new_tokens: 2 } });
    await response.text();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    expect(response.headers.get('x-compute-type')).toBe('gpu+optimized');
    expect(response.headers.get('x-compute-characters')).toBe('5');
    expect(response.headers.get('x-prompt-tokens')).toBeNull();
  });

  it('sends headers before the first token is ready', async () => {
    const simulator = await start({ timeToFirstTokenMs: 60_000 });
    const controller = new AbortController();
    const response = await postJson(simulator, '/generate_stream', { inputs: 'Hi' }, controller.signal);
    expect(response.status).toBe(200);
    controller.abort();
  });

  it('frames one `data: {json}` line per token, blank-line separated, indices from 1, without [DONE]', async () => {
    const simulator = await start();
    const response = await postJson(simulator, '/generate_stream', { inputs: 'Hi', parameters: { max_new_tokens: 4 } });
    const text = await response.text();
    expect(text).not.toContain('[DONE]');
    expect(text).not.toContain('\r');
    const events = sseData(text) as StreamEvent[];
    expect(events.map((event) => event.index)).toEqual([1, 2, 3, 4]);
    for (const event of events.slice(0, -1)) {
      expect(Object.keys(event)).toEqual(['index', 'token', 'generated_text', 'details']);
      expect(event.generated_text).toBeNull();
      expect(event.details).toBeNull();
    }
  });

  it('ends with an event carrying generated_text, and details only when asked', async () => {
    const simulator = await start();
    const plain = await streamEvents(simulator, { inputs: 'Hi', parameters: { max_new_tokens: 3 } });
    expect(plain.at(-1)!.details).toBeNull();
    const detailed = await streamEvents(simulator, { inputs: 'Hi', parameters: { max_new_tokens: 3, details: true } });
    const last = detailed.at(-1)!;
    expect(last.generated_text).toBe(plain.at(-1)!.generated_text);
    expect(last.details).toEqual({ finish_reason: 'length', generated_tokens: 3, seed: null, input_length: 2 });
  });

  it('streams the same tokens as /generate for the same prompt and seed', async () => {
    const simulator = await start();
    const request = { inputs: 'Tell a story', parameters: { max_new_tokens: 16, do_sample: true, seed: 99, details: true } };
    const events = await streamEvents(simulator, request);
    const generated = (await (await postJson(simulator, '/generate', request)).json()) as {
      generated_text: string;
      details: { tokens: StreamEvent['token'][]; seed: number };
    };
    expect(events.map((event) => event.token)).toEqual(generated.details.tokens);
    expect(events.at(-1)!.generated_text).toBe(generated.generated_text);
    expect(events.map((event) => event.token.text).join('')).toBe(generated.generated_text);
    expect(events.at(-1)!.details!.seed).toBe(99);
  });

  it('ends on a special EOS token that is not part of generated_text', async () => {
    const simulator = await start();
    const events = await streamEvents(simulator, { inputs: 'Go on', parameters: { details: true } });
    const last = events.at(-1)!;
    expect(last.token).toMatchObject({ text: '</s>', special: true });
    expect(last.details!.finish_reason).toBe('eos_token');
    const text = events.filter((event) => !event.token.special).map((event) => event.token.text).join('');
    expect(last.generated_text).toBe(text);
  });

  it('puts the prompt only in the final generated_text with return_full_text', async () => {
    const simulator = await start();
    const events = await streamEvents(simulator, { inputs: 'P>', parameters: { max_new_tokens: 3, return_full_text: true } });
    expect(events.some((event) => event.token.text.includes('P>'))).toBe(false);
    expect(events.at(-1)!.generated_text).toBe(`P>${events.map((event) => event.token.text).join('')}`);
  });

  it('places top_tokens between token and generated_text when top_n_tokens > 0', async () => {
    const simulator = await start();
    const events = await streamEvents(simulator, { inputs: 'Hi', parameters: { max_new_tokens: 2, top_n_tokens: 3 } });
    expect(Object.keys(events[0]!)).toEqual(['index', 'token', 'top_tokens', 'generated_text', 'details']);
    expect(events[0]!.top_tokens).toHaveLength(3);
  });

  it('carries multi-byte UTF-8 tokens across a long generation', async () => {
    const simulator = await start({ timePerTokenMs: 0 });
    const events = await streamEvents(simulator, { inputs: 'Mix', parameters: { max_new_tokens: 200 } });
    expect(events.some((event) => Buffer.byteLength(event.token.text) > event.token.text.length)).toBe(true);
  });

  it('uses CRLF line endings when configured to, as a rewriting proxy would', async () => {
    const simulator = await start({ lineEnding: '\r\n' });
    const text = await (await postJson(simulator, '/generate_stream', { inputs: 'Hi', parameters: { max_new_tokens: 2 } })).text();
    expect(text).toMatch(/^data: \{"index":1,.*\}\r\n\r\ndata: \{"index":2,.*\}\r\n\r\n$/);
  });

  it('writes the stream in pieces of chunkBytes bytes, splitting events and characters', async () => {
    const simulator = await start({ chunkBytes: 7, timePerTokenMs: 0 });
    const body = JSON.stringify({ inputs: 'Hi', parameters: { max_new_tokens: 60 } });
    const split = await rawPost(simulator.port, '/generate_stream', body);
    const whole = await rawPost(simulator.port, '/generate_stream', body);
    expect(split.chunks.length).toBeGreaterThan(60);
    expect(split.chunks.every((chunk) => chunk.length <= 7)).toBe(true);
    const bytes = Buffer.concat(split.chunks);
    const cutInsideCharacter = split.chunks.some((chunk) => chunk.toString('utf8').includes('\uFFFD'));
    expect(cutInsideCharacter).toBe(true);
    expect(sseData(bytes.toString('utf8'))).toEqual(sseData(Buffer.concat(whole.chunks).toString('utf8')));
  });

  it('sends a `:` keep-alive comment after keepAliveMs of silence', async () => {
    const simulator = await start({ keepAliveMs: 20, timeToFirstTokenMs: 70 });
    const response = await postJson(simulator, '/generate_stream', { inputs: 'Hi', parameters: { max_new_tokens: 1 } });
    const text = await response.text();
    expect(text.startsWith(':\n\n:\n\n')).toBe(true);
    expect(sseData(text)).toHaveLength(1);
  });

  it('reports validation errors after the headers, in the body', async () => {
    const simulator = await start();
    const response = await postJson(simulator, '/generate_stream', { inputs: '' });
    const text = await readUntil(response, (sofar) => sofar.endsWith('\n\n'));
    expect(sseData(text)).toEqual([{ error: 'Input validation error: `inputs` cannot be empty', error_type: 'validation' }]);
    expect(simulator.stats()).toMatchObject({ erroredStreams: 1, activeStreams: 0 });
  });
});
