// The tables, figures and targets of K concurrent streams, shared by the
// streaming scenario (generateStream) and the chat scenario (chatStream): one
// table per K, a row per path, each compared with its floor row (the same
// client protocol) and with its direct row, within each round.
import { median, ratio } from '../lib/stats.ts';
import { markdownTable, ms, num, signedMs, times } from '../lib/table.ts';
import type { StreamResult } from '../load/streams.ts';
import type { StreamPath } from './stream-runs.ts';
import type { Target } from './types.ts';

export type Outcome = StreamResult | { skipped: string };
export const isRun = (o: Outcome | undefined): o is StreamResult => o !== undefined && !('skipped' in o);

/** rounds[r][path name][K] */
export type StreamRounds = Record<string, Record<number, Outcome>>[];
/** medians[K][path name][figure] */
export type StreamMedians = Record<number, Record<string, Record<string, number | string>>>;

export interface StreamTableSpec {
  /** Names the scenario in failures ("streaming round 1, ..."). */
  scenario: string;
  title(k: number): string;
  paths: StreamPath[];
  ks: number[];
  rounds: StreamRounds;
  /** The floor row a row is compared with (itself for a floor row). */
  floorOf(path: StreamPath): StreamPath;
  /** The direct row a row is compared with. */
  directOf(path: StreamPath): StreamPath;
}

export function summariseStreams(spec: StreamTableSpec): { tables: string[]; medians: StreamMedians; failures: string[] } {
  const { paths, ks, rounds } = spec;
  const failures: string[] = [];
  const tables: string[] = [];
  const figures: StreamMedians = {};
  for (const k of ks) {
    const rows: string[][] = [];
    for (const path of paths) {
      const floor = spec.floorOf(path);
      const direct = spec.directOf(path);
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
          failures.push(`${spec.scenario} round ${i + 1}, ${path.name}, ${k} streams: ${r.me.check.lost} lost, ${r.me.check.garbled} garbled of ${r.me.streams}; ${r.me.check.examples.join('; ')}`);
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
    tables.push(`${spec.title(k)} (median of ${rounds.length} rounds)\n\n` + markdownTable(
      ['path', 'TTFT p50 ms', 'TTFT p99 ms', '+TTFT p50 vs floor', '+TTFT p99 vs floor', '+TTFT p99 vs direct', 'gap p99 ms', 'gap p99 × floor',
        'tokens/s', '× floor', '× direct', 'CPU s/Mtok', '× floor', 'RSS KB/stream', '× floor', 'text ok'], rows));
  }
  return { tables, medians: figures, failures };
}

/**
 * The streaming targets of each gateway row: added TTFT p99 ≤ 2 ms over the floor at 1,000 streams, tokens/s ≥ 0.97×
 * the floor's at every K up to 1,000, and (`tenThousand`) 10,000 streams intact at ≤ 40 KB RSS each.
 */
export function streamTargets(paths: StreamPath[], ks: number[], figures: StreamMedians, options: { prefix: string; tenThousand: boolean }): Target[] {
  const targets: Target[] = [];
  const value = (k: number, path: StreamPath, key: string) => {
    const v = figures[k]?.[path.name]?.[key];
    return typeof v === 'number' ? v : NaN;
  };
  for (const path of paths.filter((p) => p.via === 'gateway')) {
    const name = `${options.prefix}${path.name}`;
    const ttft = value(1000, path, 'addedTtftP99VsFloor');
    targets.push({ name: `${name}: added TTFT p99 at 1,000 streams`, value: ttft, unit: 'ms over the floor', rule: '≤ 2 ms', pass: Number.isFinite(ttft) ? ttft <= 2 : undefined });
    for (const k of ks.filter((n) => n <= 1000)) {
      const tps = value(k, path, 'tokensPerSecondVsFloor');
      targets.push({ name: `${name}: tokens/s at ${num(k)} streams`, value: tps, unit: '× floor', rule: '≥ 0.97× floor', pass: Number.isFinite(tps) ? tps >= 0.97 : undefined });
    }
    if (!options.tenThousand) continue;
    const ok = value(10_000, path, 'streamsOk');
    const all = value(10_000, path, 'streams');
    const rss = value(10_000, path, 'rssKBPerStream');
    const note = ks.includes(10_000) ? (Number.isFinite(all) ? `${ok}/${all} streams intact` : String(figures[10_000]?.[path.name]?.['skipped'] ?? 'not run')) : 'run with --big';
    targets.push({
      name: `${name}: 10,000 streams, none lost or garbled`, value: rss, unit: 'KB RSS per open stream', rule: 'all intact, ≤ 40 KB per stream', note,
      pass: Number.isFinite(all) && Number.isFinite(rss) ? ok === all && rss <= 40 : undefined,
    });
  }
  return targets;
}
