// Streams over GraphQL over SSE (yoga's distinct-connections mode): one POST
// per subscription, ended by aborting the fetch, as a browser's EventSource
// polyfill does when the page goes away.
import { createParser } from 'eventsource-parser';
import {
  GENERATE_STREAM, STREAM_LIMIT_MS, StreamProgress, earlyCutDelayMs,
  type Cut, type StreamInput, type StreamPayload,
} from './stream.ts';
import type { Outcome } from './tally.ts';

export async function sseStream(url: string, input: StreamInput, cut: Cut | null): Promise<Outcome> {
  const controller = new AbortController();
  const progress = new StreamProgress();
  let cutDone = false;
  let completed = false;
  const cutNow = (): void => {
    cutDone = true;
    controller.abort();
  };
  const timers = [setTimeout(() => controller.abort(new Error('stream hung')), STREAM_LIMIT_MS)];
  if (cut?.afterTokens === 0) timers.push(setTimeout(cutNow, earlyCutDelayMs()));
  const parser = createParser({
    onEvent: (event) => {
      if (event.event === 'complete') completed = true;
      else if (event.event === 'next' && !cutDone && progress.add(JSON.parse(event.data) as StreamPayload, cut)) cutNow();
    },
  });
  try {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: GENERATE_STREAM, variables: { input } }),
      signal: controller.signal,
    });
    if (res.status !== 200 || res.body === null) {
      await res.body?.cancel();
      return progress.failed(`sse HTTP ${res.status}`);
    }
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const chunk = await reader.read();
      if (chunk.done) break;
      parser.feed(decoder.decode(chunk.value, { stream: true }));
    }
  } catch (error) {
    if (cutDone) return progress.cutBy('abort');
    if (controller.signal.aborted) return progress.failed('stream hung');
    return progress.failed(`sse ${error instanceof Error ? error.name : 'error'}`);
  } finally {
    for (const timer of timers) clearTimeout(timer);
  }
  if (cutDone) return progress.cutBy('abort');
  return completed ? progress.ended() : progress.failed('sse ended without complete');
}
