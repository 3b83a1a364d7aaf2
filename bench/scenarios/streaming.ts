// K concurrent generateStream subscriptions at a realistic pace (20 ms to the
// first token, 50 ms per token), over graphql-ws (one socket per stream, and
// multiplexed on a few) and GraphQL over SSE, each compared with the floor
// proxy on the same client protocol and with TGI's own SSE straight from the
// simulator. Every stream of every run is checked for its exact text.
import { startSimulator } from '../lib/stack.ts';
import { median, ratio } from '../lib/stats.ts';
import { markdownTable, ms, num, signedMs, times } from '../lib/table.ts';
import type { StreamResult } from '../load/streams.ts';
import { descriptorShortfall, runStreams, withPath, type StreamPath } from './stream-runs.ts';
import type { ScenarioOutcome, Shared, Target } from './types.ts';

type Outcome = StreamResult | { skipped: string };
const isRun = (o: Outcome | undefined): o is StreamResult => o !== undefined && !('skipped' in o);

export function streamPaths(muxSockets: number): StreamPath[] {
  const mux = `graphql-ws, ${muxSockets} sockets`;
  return [
    { name: 'direct TGI SSE', via: 'direct', transport: 'tgi-sse', sockets: 0 },
    { name: 'floor TGI SSE', via: 'floor', transport: 'tgi-sse', sockets: 0 },
    { name: 'floor graphql-ws', via: 'floor', transport: 'ws', sockets: 0 },
    { name: `floor ${mux}`, via: 'floor', transport: 'ws', sockets: muxSockets },
    { name: 'floor GraphQL SSE', via: 'floor', transport: 'gql-sse', sockets: 0 },
    { name: 'gateway graphql-ws', via: 'gateway', transport: 'ws', sockets: 0 },
    { name: `gateway ${mux}`, via: 'gateway', transport: 'ws', sockets: muxSockets },
    { name: 'gateway GraphQL SSE', via: 'gateway', transport: 'gql-sse', sockets: 0 },
  ];
}

/** The floor row a row is compared with: the same client protocol (TGI SSE for direct). */
export function floorOf(paths: StreamPath[], path: StreamPath): StreamPath {
  const transport = path.via === 'direct' ? 'tgi-sse' : path.transport;
  return paths.find((p) => p.via === 'floor' && p.transport === transport && p.sockets === path.sockets)!;
}

export async function runStreaming(shared: Shared): Promise<ScenarioOutcome> {
  const { profile, instantSim, log } = shared;
  const s = profile.streaming;
  const sim = await startSimulator('simulator (streaming)', { timeToFirstTokenMs: s.ttftMs, timePerTokenMs: s.tokenMs });
  const paths = streamPaths(s.muxSockets);
  const streamMs = s.ttftMs + s.tokens * s.tokenMs;
  // rounds[r][path][K]
  const rounds: Record<string, Record<number, Outcome>>[] = [];
  try {
    for (let round = 1; round <= profile.rounds; round++) {
      const byPath: Record<string, Record<number, Outcome>> = {};
      for (const path of paths) {
        byPath[path.name] = await withPath(path, sim.url, instantSim.url, async (target) => {
          const byK: Record<number, Outcome> = {};
          for (const k of s.ks) {
            const shortfall = descriptorShortfall(path, k);
            if (shortfall !== undefined) {
              byK[k] = { skipped: shortfall };
              continue;
            }
            log(`streaming: round ${round}/${profile.rounds}, ${path.name}, ${k} streams`);
            byK[k] = await runStreams(path, target, {
              slots: k, waves: 2, tokens: s.tokens, promptBytes: 10, spreadMs: streamMs,
              rateWindow: [streamMs, 2 * streamMs], refUrl: instantSim.url, tag: `r${round}k${k}`,
            }, streamMs);
          }
          return byK;
        });
      }
      rounds.push(byPath);
    }
  } finally {
    await sim.stop();
  }
  return summarise(paths, s.ks, rounds, s.tokens);
}

function summarise(paths: StreamPath[], ks: number[], rounds: Record<string, Record<number, Outcome>>[], tokens: number): ScenarioOutcome {
  const failures: string[] = [];
  const tables: string[] = [];
  const figures: Record<number, Record<string, Record<string, number | string>>> = {};
  const direct = paths.find((p) => p.via === 'direct')!;
  for (const k of ks) {
    const rows: string[][] = [];
    for (const path of paths) {
      const floor = floorOf(paths, path);
      const runs = rounds.map((r) => ({ me: r[path.name]?.[k], floor: r[floor.name]?.[k], direct: r[direct.name]?.[k] }));
      const skipped = runs.map((r) => r.me).find((o) => o !== undefined && 'skipped' in o);
      if (skipped !== undefined && 'skipped' in skipped) {
        (figures[k] ??= {})[path.name] = { skipped: skipped.skipped };
        rows.push([path.name, `skipped: ${skipped.skipped}`, ...Array<string>(14).fill('')]);
        continue;
      }
      /** Median over rounds of f(this path's run, its floor's, direct's). */
      const med = (f: (me: StreamResult, floor: StreamResult | undefined, direct: StreamResult | undefined) => number) =>
        median(runs.map((r) => (isRun(r.me) ? f(r.me, isRun(r.floor) ? r.floor : undefined, isRun(r.direct) ? r.direct : undefined) : NaN)));
      const rssKB = (r: StreamResult | undefined) => (r === undefined ? NaN : r.rssPerStreamKiB * 1.024);
      const f = {
        ttftP50: med((m) => m.ttft.p50),
        ttftP99: med((m) => m.ttft.p99),
        addedTtftP50VsFloor: med((m, fl) => m.ttft.p50 - (fl?.ttft.p50 ?? NaN)),
        addedTtftP99VsFloor: med((m, fl) => m.ttft.p99 - (fl?.ttft.p99 ?? NaN)),
        addedTtftP99VsDirect: med((m, _f, d) => m.ttft.p99 - (d?.ttft.p99 ?? NaN)),
        gapP99: med((m) => m.interTokenGap.p99),
        gapP99VsFloor: med((m, fl) => ratio(m.interTokenGap.p99, fl?.interTokenGap.p99 ?? NaN)),
        tokensPerSecond: med((m) => m.tokensPerSecond),
        tokensPerSecondVsFloor: med((m, fl) => ratio(m.tokensPerSecond, fl?.tokensPerSecond ?? NaN)),
        tokensPerSecondVsDirect: med((m, _f, d) => ratio(m.tokensPerSecond, d?.tokensPerSecond ?? NaN)),
        cpuSecondsPerMillionTokens: med((m) => m.cpuMicrosPerToken),
        cpuVsFloor: med((m, fl) => ratio(m.cpuMicrosPerToken, fl?.cpuMicrosPerToken ?? NaN)),
        rssKBPerStream: med((m) => rssKB(m)),
        rssVsFloor: med((m, fl) => ratio(rssKB(m), rssKB(fl))),
        streamsOk: runs.reduce((n, r) => n + (isRun(r.me) ? r.me.check.ok : 0), 0),
        streams: runs.reduce((n, r) => n + (isRun(r.me) ? r.me.streams : 0), 0),
      };
      (figures[k] ??= {})[path.name] = f;
      for (const [i, r] of runs.entries()) {
        if (isRun(r.me) && r.me.check.ok !== r.me.streams) {
          failures.push(`streaming round ${i + 1}, ${path.name}, ${k} streams: ${r.me.check.lost} lost, ${r.me.check.garbled} garbled of ${r.me.streams}; ${r.me.check.examples.join('; ')}`);
        }
      }
      const self = path === floor;
      rows.push([
        path.name, ms(f.ttftP50), ms(f.ttftP99), self ? '' : signedMs(f.addedTtftP50VsFloor), self ? '' : signedMs(f.addedTtftP99VsFloor),
        signedMs(f.addedTtftP99VsDirect), ms(f.gapP99), times(f.gapP99VsFloor), num(f.tokensPerSecond), times(f.tokensPerSecondVsFloor),
        times(f.tokensPerSecondVsDirect), num(f.cpuSecondsPerMillionTokens), times(f.cpuVsFloor), num(f.rssKBPerStream, 1), times(f.rssVsFloor),
        `${f.streamsOk}/${f.streams}`,
      ]);
    }
    tables.push(`### streaming: ${num(k)} concurrent streams, ${tokens} tokens each (median of ${rounds.length} rounds)\n\n` + markdownTable(
      ['path', 'TTFT p50 ms', 'TTFT p99 ms', '+TTFT p50 vs floor', '+TTFT p99 vs floor', '+TTFT p99 vs direct', 'gap p99 ms', 'gap p99 × floor',
        'tokens/s', '× floor', '× direct', 'CPU s/Mtok', '× floor', 'RSS KB/stream', '× floor', 'text ok'], rows));
  }
  return { name: 'streaming', tables, figures: { medians: figures, rounds }, targets: targetsOf(paths, ks, figures), failures };
}

function targetsOf(paths: StreamPath[], ks: number[], figures: Record<number, Record<string, Record<string, number | string>>>): Target[] {
  const targets: Target[] = [];
  const value = (k: number, path: StreamPath, key: string) => {
    const v = figures[k]?.[path.name]?.[key];
    return typeof v === 'number' ? v : NaN;
  };
  for (const path of paths.filter((p) => p.via === 'gateway')) {
    const ttft = value(1000, path, 'addedTtftP99VsFloor');
    targets.push({ name: `${path.name}: added TTFT p99 at 1,000 streams`, value: ttft, unit: 'ms over the floor', rule: '≤ 2 ms', pass: Number.isFinite(ttft) ? ttft <= 2 : undefined });
    for (const k of ks.filter((n) => n <= 1000)) {
      const tps = value(k, path, 'tokensPerSecondVsFloor');
      targets.push({ name: `${path.name}: tokens/s at ${num(k)} streams`, value: tps, unit: '× floor', rule: '≥ 0.97× floor', pass: Number.isFinite(tps) ? tps >= 0.97 : undefined });
    }
    const ok = value(10_000, path, 'streamsOk');
    const all = value(10_000, path, 'streams');
    const rss = value(10_000, path, 'rssKBPerStream');
    const note = ks.includes(10_000) ? (Number.isFinite(all) ? `${ok}/${all} streams intact` : String(figures[10_000]?.[path.name]?.['skipped'] ?? 'not run')) : 'run with --big';
    targets.push({
      name: `${path.name}: 10,000 streams, none lost or garbled`, value: rss, unit: 'KB RSS per open stream', rule: 'all intact, ≤ 40 KB per stream', note,
      pass: Number.isFinite(all) && Number.isFinite(rss) ? ok === all && rss <= 40 : undefined,
    });
  }
  return targets;
}
