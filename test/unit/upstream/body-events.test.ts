// The push reader under every upstream stream: the body read by its events,
// one promise per event for the consumer, the body paused while events wait
// unread, and nothing of the reader left on the body however reading ends.
import { Readable } from 'node:stream';
import { setImmediate as tick } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { BodyEvents } from '../../../src/upstream/body-events.ts';
import { UpstreamError } from '../../../src/upstream/errors.ts';
import { chatEvents } from '../../../src/upstream/openai-wire/chat.ts';
import type { ChatDelta } from '../../../src/upstream/types.ts';
import { bytes, sse } from './openai/streams.ts';

const piece = (content: string, finish: string | null = null) => ({ choices: [{ index: 0, delta: { content }, finish_reason: finish }] });
const delta = (text: string): ChatDelta => ({ delta: text, toolCallDeltas: [], finishReason: null, usage: null });
const LAST: ChatDelta = { delta: '', toolCallDeltas: [], finishReason: 'EOS_TOKEN', usage: null };

/** A body whose bytes the test pushes, as a socket would deliver them. */
const socketBody = (): Readable => new Readable({ read() {} });

/** The listeners a reader puts on the body; the one `error` listener that swallows the abort error of a destroyed body is not its own. */
const readerListeners = (body: Readable) => ({
  data: body.listenerCount('data'),
  end: body.listenerCount('end'),
  close: body.listenerCount('close'),
});
const NONE = { data: 0, end: 0, close: 0 };

function chatOver(body: Readable, signal = new AbortController().signal, mapError?: (error: unknown) => unknown): BodyEvents<ChatDelta> {
  return new BodyEvents(body, (emit) => chatEvents(emit), signal, mapError);
}

describe('BodyEvents', () => {
  it('hands on each event as its chunk arrives, ends with the body, and leaves no listener on it', async () => {
    const body = socketBody();
    const events = chatOver(body);
    const first = events.next();
    body.push(bytes(sse([piece('a')])));
    expect(await first).toEqual({ done: false, value: delta('a') });
    body.push(bytes(sse([piece('', 'stop'), '[DONE]'])));
    body.push(null);
    expect(await events.next()).toEqual({ done: false, value: LAST });
    expect(await events.next()).toEqual({ done: true, value: undefined });
    expect(body.readableEnded).toBe(true);
    expect({ ...readerListeners(body), error: body.listenerCount('error') }).toEqual({ ...NONE, error: 0 });
  });

  it('pauses the body while an event waits unread, and lets it flow again when the consumer asks for more than it holds', async () => {
    const body = socketBody();
    const events = chatOver(body);
    body.push(bytes(sse([piece('a'), piece('b')])));
    await tick();
    expect(body.isPaused()).toBe(true);
    // What arrives now stays in the body's buffer (and, past its high-water mark, in TCP's).
    body.push(bytes(sse([piece('c')])));
    body.push(bytes(sse([piece('d')])));
    await tick();
    expect(body.readableLength).toBeGreaterThan(0);
    expect(await events.next()).toEqual({ done: false, value: delta('a') });
    expect(await events.next()).toEqual({ done: false, value: delta('b') });
    expect(body.isPaused()).toBe(true);
    // Asked for more, the reader takes what the body holds at once, still paused.
    expect(await events.next()).toEqual({ done: false, value: delta('c') });
    expect(body.readableLength).toBe(0);
    expect(body.isPaused()).toBe(true);
    expect(await events.next()).toEqual({ done: false, value: delta('d') });
    // Asked for more than it holds, the body flows again.
    const waiting = events.next();
    expect(body.isPaused()).toBe(false);
    body.push(bytes(sse([piece('e')])));
    expect(await waiting).toEqual({ done: false, value: delta('e') });
    await events.return();
  });

  it('destroys a body not read to its end on return(), mid-stream, and leaves none of its listeners', async () => {
    const body = socketBody();
    const events = chatOver(body);
    body.push(bytes(sse([piece('a'), piece('b')])));
    expect(await events.next()).toEqual({ done: false, value: delta('a') });
    expect(await events.return()).toEqual({ done: true, value: undefined });
    expect(body.destroyed).toBe(true);
    expect(readerListeners(body)).toEqual(NONE);
    // The event read from the body but not by the consumer is dropped with it.
    expect(await events.next()).toEqual({ done: true, value: undefined });
  });

  it('ends a read that is waiting when the consumer returns', async () => {
    const body = socketBody();
    const events = chatOver(body);
    const waiting = events.next();
    await events.return();
    expect(await waiting).toEqual({ done: true, value: undefined });
    expect(body.destroyed).toBe(true);
  });

  it("classifies the body's error as a network failure, after the events before it, and passes it on through mapError", async () => {
    const body = socketBody();
    const passedOn: unknown[] = [];
    const events = chatOver(body, new AbortController().signal, (error) => (passedOn.push(error), error));
    body.push(bytes(sse([piece('a')])));
    await tick();
    body.destroy(Object.assign(new Error('read ECONNRESET 10.0.0.7:8080'), { code: 'ECONNRESET' }));
    expect(await events.next()).toEqual({ done: false, value: delta('a') });
    const failure = await events.next().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UpstreamError);
    expect((failure as UpstreamError).failure).toEqual({ kind: 'broken', detail: 'ECONNRESET', connectionLost: true });
    expect(passedOn).toEqual([failure]);
    expect(await events.next()).toEqual({ done: true, value: undefined });
    expect(readerListeners(body)).toEqual(NONE);
  });

  it('fails with the abort reason once the request was aborted', async () => {
    const body = socketBody();
    const controller = new AbortController();
    const events = chatOver(body, controller.signal);
    const waiting = events.next();
    const reason = new Error('client left');
    controller.abort(reason);
    body.destroy(new Error('aborted'));
    await expect(waiting).rejects.toBe(reason);
  });

  it('is broken when the body closes before its end without an error', async () => {
    const body = socketBody();
    const events = chatOver(body);
    const waiting = events.next();
    body.destroy();
    const failure = await waiting.catch((error: unknown) => error);
    expect((failure as UpstreamError).failure).toMatchObject({ kind: 'broken', connectionLost: true });
  });

  it("stops reading and destroys the body at the decoder's failure", async () => {
    const body = socketBody();
    const events = chatOver(body);
    body.push(bytes(sse([piece('a'), { error: { message: 'engine died', code: 500 } }, piece('b')])));
    expect(await events.next()).toEqual({ done: false, value: delta('a') });
    const failure = await events.next().catch((error: unknown) => error);
    expect((failure as UpstreamError).failure).toMatchObject({ kind: 'in-band', message: 'engine died' });
    expect(body.destroyed).toBe(true);
    expect(readerListeners(body)).toEqual(NONE);
  });
});
