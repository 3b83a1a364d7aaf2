// The end-of-run report: a few human lines, then one JSON line (last, so that
// scripts can `tail -n 1`).
import type { Leaks, UpstreamTotals } from './stack.ts';
import type { MemoryPoint } from './memory.ts';
import type { Tally } from './tally.ts';

export interface ReportInput {
  configuredSeconds: number;
  concurrency: number;
  warmupSeconds: number;
  /** From the first stream started to the last one ended. */
  elapsedSeconds: number;
  tally: Tally;
  faults: ReadonlyMap<string, number>;
  upstream: UpstreamTotals;
  leaks: Leaks;
  settledMs: number;
  memory: { start: MemoryPoint; end: MemoryPoint; max: MemoryPoint };
}

export function buildSummary(input: ReportInput) {
  const { tally, upstream, leaks, memory } = input;
  const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
  const perSecond = (n: number) => Math.round((n / input.elapsedSeconds) * 10) / 10;
  return {
    ok: leaks.total === 0 && upstream.tokensAfterAbort === 0,
    durationSeconds: Math.round(input.elapsedSeconds * 10) / 10,
    configuredSeconds: input.configuredSeconds,
    concurrency: input.concurrency,
    streams: {
      total: tally.started,
      completed: tally.completed,
      clientEnded: tally.clientEndedTotal,
      clientEndedBy: { ...tally.clientEnded },
      errors: tally.errorsTotal,
      errorsByCode: Object.fromEntries(tally.errors),
      transportErrors: tally.transportTotal,
      transportErrorsByKind: Object.fromEntries(tally.transport),
      /** Started but never ended: a bug of the bench itself if not 0. */
      unaccounted: tally.started - tally.finished,
    },
    throughput: { streamsPerSecond: perSecond(tally.finished), tokensPerSecond: perSecond(tally.tokens) },
    faultsInjected: Object.fromEntries(input.faults),
    upstream,
    leaked: leaks.total,
    leaks,
    settledMs: input.settledMs,
    tokensAfterAbort: upstream.tokensAfterAbort,
    memoryMB: {
      rssStart: mb(memory.start.rss),
      rssEnd: mb(memory.end.rss),
      rssMax: mb(memory.max.rss),
      rssDrift: mb(memory.end.rss - memory.start.rss),
      heapUsedStart: mb(memory.start.heapUsed),
      heapUsedEnd: mb(memory.end.heapUsed),
      heapUsedMax: mb(memory.max.heapUsed),
      heapUsedDrift: mb(memory.end.heapUsed - memory.start.heapUsed),
    },
  };
}

export type Summary = ReturnType<typeof buildSummary>;

export function printReport(summary: Summary, warmupSeconds: number): void {
  const s = summary.streams;
  const m = summary.memoryMB;
  const u = summary.upstream;
  const list = (record: Record<string, number>) =>
    Object.entries(record).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ') || '-';
  const signed = (n: number) => `${n >= 0 ? '+' : ''}${n}`;
  const lines = [
    '',
    `soak: ${summary.durationSeconds} s (asked ${summary.configuredSeconds} s), ${summary.concurrency} virtual users, 3 replicas of model "pool"`,
    `streams      total ${s.total}, completed ${s.completed}, client-ended ${s.clientEnded} (${list(s.clientEndedBy)})`,
    `errors       ${s.errors}: ${list(s.errorsByCode)}`,
    `transport    ${s.transportErrors}: ${list(s.transportErrorsByKind)}`,
    `throughput   ${summary.throughput.streamsPerSecond} streams/s, ${summary.throughput.tokensPerSecond} tokens/s received`,
    `faults       ${list(summary.faultsInjected)}`,
    `upstream     completed ${u.completed}, aborted ${u.aborted}, errored ${u.errored}, dropped ${u.dropped}, ` +
      `faulted requests ${u.faulted}, tokens ${u.tokensGenerated}, open connections ${u.openConnections}`,
    `leaked       ${summary.leaked} (${list(withoutTotal(summary.leaks))}) after settling ${summary.settledMs} ms`,
    `tokensAfterAbort ${summary.tokensAfterAbort}`,
    `rss          start ${m.rssStart} MB (after ${warmupSeconds} s warm-up), end ${m.rssEnd} MB, max ${m.rssMax} MB, drift ${signed(m.rssDrift)} MB`,
    `heap used    start ${m.heapUsedStart} MB, end ${m.heapUsedEnd} MB, max ${m.heapUsedMax} MB, drift ${signed(m.heapUsedDrift)} MB`,
    `result       ${summary.ok ? 'PASS' : 'FAIL: leaked streams or tokens after abort'}`,
    JSON.stringify(summary),
  ];
  if (s.unaccounted !== 0) lines.splice(-2, 0, `warning      ${s.unaccounted} streams started but never ended`);
  console.log(lines.join('\n'));
}

function withoutTotal(leaks: Leaks): Record<string, number> {
  const { total: _total, ...parts } = leaks;
  return parts;
}
