// TGI's load in its own metric names (router/src/server.rs and infer/):
// `tgi_queue_size`, requests waiting for a batch, and `tgi_batch_current_size`,
// the running batch. TGI exports no KV-cache share.
import { readGauges, sumOf } from '../prometheus-text.ts';
import type { ServerLoad } from '../types.ts';

const QUEUE = 'tgi_queue_size';
const BATCH = 'tgi_batch_current_size';
const NAMES = new Set([QUEUE, BATCH]);

/** Undefined when the page has no queue gauge (not TGI's, or its metrics are off). */
export function tgiServerLoad(text: string): ServerLoad | undefined {
  const gauges = readGauges(text, NAMES);
  const waiting = sumOf(gauges, QUEUE);
  if (waiting === undefined) return undefined;
  return { waiting, running: sumOf(gauges, BATCH) ?? 0, kvCacheUsage: null };
}
