// K concurrent token streams against one path, in a process of its own.
//
// Each of K slots runs `waves` streams back to back; slot i starts at
// i × spreadMs / K. With spreadMs equal to one stream's length and two waves,
// every slot has exactly one stream open from the end of the spread until its
// second stream ends: the second wave is measured at K streams in steady state
// (not in the burst of K subscriptions arriving at once). Reads the CPU time and
// RSS of the process under test (pid) from /proc; checks every stream's text
// against the simulator's deterministic output once the run is over.
import { cpuSeconds, rssKiB } from '../lib/proc-stat.ts';
import { percentiles, type Percentiles } from '../lib/stats.ts';
import type { GenerationInput } from '../lib/tgi-body.ts';
import { runJob } from './child.ts';
import { expectedTexts } from './reference.ts';
import { checkStreams, StreamRecord, type StreamCheck } from './stream-record.ts';
import { createTransport, type TransportKind } from './transports.ts';

export interface StreamJob {
  transport: TransportKind;
  url: string;
  /** graphql-ws sockets shared by the slots; 0: one socket per slot. */
  sockets: number;
  slots: number;
  waves: number;
  tokens: number;
  promptBytes: number;
  spreadMs: number;
  /** Tokens/s are counted over this window, in ms after the first start (the steady state). */
  rateWindow: [number, number] | undefined;
  /** Zero-latency simulator for the expected texts (for chat, one of the same protocol). */
  refUrl: string;
  modelId: string;
  /** Chat runs: the `model` a `/v1/chat/completions` body names (direct runs, expected texts); undefined for generateStream. */
  chatModel: string | undefined;
  /** Makes prompts unique to this run. */
  tag: string;
  /** The process under test (CPU and RSS); undefined for direct runs. */
  pid: number | undefined;
  /** Every stream still open then is ended and counted as lost. */
  deadlineMs: number;
}

export interface StreamResult {
  streams: number;
  /** Streams of the last wave: the figures below are theirs. */
  measured: number;
  /** Milliseconds from sending the subscription to its first token. */
  ttft: Percentiles;
  interTokenGap: Percentiles;
  tokensPerSecond: number;
  tokens: number;
  elapsedMs: number;
  connectMs: number;
  cpuSeconds: number;
  cpuMicrosPerToken: number;
  rssIdleKiB: number;
  /** RSS and open streams at the sample with the most streams open. */
  rssOpenKiB: number;
  openAtSample: number;
  rssPerStreamKiB: number;
  check: StreamCheck;
}

const SAMPLE_EVERY_MS = 50;

/** A prompt unique to its stream, padded to `bytes` (the id alone when shorter). */
export function promptOf(tag: string, index: number, bytes: number): string {
  const id = `${tag}-${index} `;
  return id.length >= bytes ? id : id + 'lorem ipsum dolor sit amet '.repeat(Math.ceil(bytes / 27)).slice(0, bytes - id.length);
}

runJob<StreamJob, StreamResult>(async (job) => {
  const inputs: GenerationInput[] = Array.from({ length: job.slots * job.waves }, (_, i) => ({
    prompt: promptOf(job.tag, i, job.promptBytes), maxNewTokens: job.tokens, seed: i + 1,
  }));
  const records = inputs.map((_, i) => new StreamRecord(i, Math.floor(i / job.slots)));
  const transport = createTransport(job.transport, job.url, job.slots, job.sockets, job.modelId, job.chatModel ?? '');
  const read = <T>(f: (pid: number) => T): T | number => (job.pid === undefined ? NaN : f(job.pid));
  const rssIdle = read(rssKiB);
  const cpuBefore = read(cpuSeconds);
  const connectStart = performance.now();
  await transport.connect();
  const t0 = performance.now();
  const connectMs = t0 - connectStart;

  let open = 0;
  let windowTokens = 0;
  const [windowFrom, windowTo] = job.rateWindow ?? [0, Infinity];
  let peak = { open: 0, rss: NaN };
  const sampler = setInterval(() => {
    if (open < peak.open) return;
    const rss = read(rssKiB);
    if (open > peak.open || rss > peak.rss) peak = { open, rss };
  }, SAMPLE_EVERY_MS);

  let pastDeadline = false;
  const runSlot = async (slot: number) => {
    for (let wave = 0; wave < job.waves && !pastDeadline; wave++) {
      const record = records[wave * job.slots + slot]!;
      await new Promise<void>((resolve) => {
        const onToken = (at: number) => {
          const t = at - t0;
          if (t >= windowFrom && t < windowTo) windowTokens += 1;
        };
        record.watch(onToken, () => {
          open -= 1;
          resolve();
        });
        open += 1;
        transport.start(slot, inputs[record.index]!, record);
      });
    }
  };
  const slots = Array.from({ length: job.slots }, (_, slot) =>
    new Promise<void>((resolve) => setTimeout(resolve, (slot * job.spreadMs) / job.slots)).then(() => runSlot(slot)));
  const deadline = setTimeout(() => {
    pastDeadline = true;
    for (const r of records) r.fail('bench deadline');
  }, job.deadlineMs);
  await Promise.all(slots);
  clearTimeout(deadline);
  clearInterval(sampler);
  const elapsedMs = performance.now() - t0;
  const cpu = read(cpuSeconds) - cpuBefore;
  transport.close();

  const measured = records.filter((r) => r.wave === job.waves - 1);
  const tokens = records.reduce((n, r) => n + r.tokens, 0);
  const expected = await expectedTexts(job.refUrl, inputs, job.chatModel);
  const windowMs = Math.min(windowTo, elapsedMs) - windowFrom;
  return {
    streams: records.length,
    measured: measured.length,
    ttft: percentiles(measured.filter((r) => r.tokens > 0).map((r) => r.firstAt - r.sentAt)),
    interTokenGap: percentiles(measured.flatMap((r) => r.gaps)),
    tokensPerSecond: windowTokens / (windowMs / 1000),
    tokens,
    elapsedMs,
    connectMs,
    cpuSeconds: cpu,
    cpuMicrosPerToken: (cpu / tokens) * 1e6,
    rssIdleKiB: rssIdle,
    rssOpenKiB: peak.rss,
    openAtSample: peak.open,
    rssPerStreamKiB: (peak.rss - rssIdle) / peak.open,
    check: checkStreams(records, expected, job.tokens),
  };
});
