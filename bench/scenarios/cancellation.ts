// Time from a client leaving to the upstream socket closing: the moment TGI
// learns it can drop the generation. Measured by a TCP tap in the load process
// between each proxy and the simulator (load/tap.ts), rather than by polling
// the simulator's counters: polling would add its own interval to every figure,
// and the tap reads the cut and the close on one clock with no change to src/.
// The simulator's abortedStreams counter is still read, as a cross-check that
// every cut stream really was dropped upstream.
import { resultOf, startLoad } from '../lib/load.ts';
import { nextMessage } from '../lib/procs.ts';
import { MODEL_ID, startFloor, startGateway, startSimulator } from '../lib/stack.ts';
import { median } from '../lib/stats.ts';
import { markdownTable, ms, num, times } from '../lib/table.ts';
import type { CancelJob, CancelTarget, CutMode, CutResult } from '../load/cancel.ts';
import type { ScenarioOutcome, Shared, Target } from './types.ts';

type Round = Record<string, Partial<Record<CutMode, CutResult>>>;
const GRAPHQL_MODES: CutMode[] = ['unsubscribe', 'socket close', 'SSE abort'];

async function abortedStreams(simUrl: string): Promise<number> {
  const res = await fetch(`${simUrl}/__simulator/stats`);
  return ((await res.json()) as { abortedStreams: number }).abortedStreams;
}

export async function runCancellation(shared: Shared): Promise<ScenarioOutcome> {
  const { profile, log } = shared;
  const c = profile.cancellation;
  const sim = await startSimulator('simulator (cancellation)', { timeToFirstTokenMs: profile.streaming.ttftMs, timePerTokenMs: profile.streaming.tokenMs });
  const job: CancelJob = { simUrl: sim.url, modelId: MODEL_ID, perMode: c.perMode, concurrency: c.concurrency, afterTokens: c.afterTokens };
  const load = startLoad('cancel.ts', job);
  const stops: (() => Promise<void>)[] = [() => sim.stop()];
  const rounds: Round[] = [];
  let expectedAborts = 0;
  let aborted = 0;
  try {
    const tapUrl = await nextMessage(load, (m) => ((m as { type?: string }).type === 'tap' ? String((m as { url: string }).url) : undefined), 10_000);
    const floor = await startFloor(tapUrl);
    stops.push(() => floor.stop());
    const gateway = await startGateway(tapUrl);
    stops.push(() => gateway.stop());
    const targets: CancelTarget[] = [
      { name: 'direct TGI SSE', url: tapUrl, protocol: 'tgi', modes: ['SSE abort'] },
      { name: 'floor', url: floor.url, protocol: 'graphql', modes: GRAPHQL_MODES },
      { name: 'gateway', url: gateway.url, protocol: 'graphql', modes: GRAPHQL_MODES },
    ];
    const abortedBefore = await abortedStreams(sim.url);
    for (let round = 1; round <= profile.rounds; round++) {
      log(`cancellation: round ${round}/${profile.rounds}, ${c.perMode} cuts per way and path`);
      load.proc.send({ type: 'run', targets });
      rounds.push(await nextMessage(load, (m) => ((m as { type?: string }).type === 'round' ? (m as { result: Round }).result : undefined), 120_000));
      expectedAborts += targets.reduce((n, t) => n + t.modes.length * c.perMode, 0);
    }
    // Aborts travel asynchronously; give the last ones a moment to land in the counters.
    await new Promise((resolve) => setTimeout(resolve, 500));
    aborted = (await abortedStreams(sim.url)) - abortedBefore;
    load.proc.send({ type: 'done' });
    await resultOf(load, 10_000);
  } finally {
    for (const stop of stops.reverse()) await stop();
  }
  return summarise(rounds, expectedAborts, aborted, c.afterTokens);
}

function summarise(rounds: Round[], expectedAborts: number, aborted: number, afterTokens: number): ScenarioOutcome {
  const failures: string[] = [];
  const figures: Record<string, Record<string, Record<string, number>>> = {};
  const rows: string[][] = [];
  const targets: Target[] = [];
  const paths = Object.keys(rounds[0] ?? {});
  for (const path of paths) {
    for (const mode of Object.keys(rounds[0]?.[path] ?? {}) as CutMode[]) {
      const runs = rounds.map((r) => r[path]?.[mode]);
      const med = (f: (r: CutResult) => number) => median(runs.map((r) => (r === undefined ? NaN : f(r))));
      const floorOf = (r: Round) => r['floor']?.[mode];
      const f = {
        p50: med((r) => r.latency.p50),
        p99: med((r) => r.latency.p99),
        max: med((r) => r.latency.max),
        p99VsFloor: median(rounds.map((r) => (r[path]?.[mode]?.latency.p99 ?? NaN) / (floorOf(r)?.latency.p99 ?? NaN))),
        p99VsDirect: median(rounds.map((r) => (r[path]?.[mode]?.latency.p99 ?? NaN) / (r['direct TGI SSE']?.['SSE abort']?.latency.p99 ?? NaN))),
        cuts: runs.reduce((n, r) => n + (r?.latency.count ?? 0), 0),
        notClosed: runs.reduce((n, r) => n + (r?.notClosed ?? 0), 0),
        failedBeforeCut: runs.reduce((n, r) => n + (r?.failed ?? 0), 0),
      };
      (figures[path] ??= {})[mode] = f;
      if (f.notClosed > 0) failures.push(`cancellation, ${path}, ${mode}: ${f.notClosed} upstream connections still open ${3} s after the client left`);
      if (f.failedBeforeCut > 0) failures.push(`cancellation, ${path}, ${mode}: ${f.failedBeforeCut} streams failed before the cut`);
      rows.push([path, mode, ms(f.p50), ms(f.p99), ms(f.max), path === 'floor' ? '' : times(f.p99VsFloor), times(f.p99VsDirect), num(f.cuts), num(f.notClosed)]);
      if (path === 'gateway') {
        targets.push({ name: `gateway: upstream closed after ${mode}`, value: f.p99, unit: 'ms p99', rule: '≤ 5 ms p99', pass: Number.isFinite(f.p99) ? f.p99 <= 5 && f.notClosed === 0 : false });
      }
    }
  }
  if (aborted < expectedAborts) failures.push(`cancellation: the simulator counted ${aborted} aborted streams, ${expectedAborts} were cut`);
  const table = `### cancellation: client leaves after ${afterTokens} tokens → upstream socket closed, ms (median of ${rounds.length} rounds)\n\n` +
    markdownTable(['path', 'client leaves by', 'p50 ms', 'p99 ms', 'max ms', 'p99 × floor', 'p99 × direct', 'cuts measured', 'still open after 3 s'], rows) +
    `\n\nSimulator cross-check: ${num(aborted)} streams counted as aborted for ${num(expectedAborts)} cuts.`;
  return { name: 'cancellation', tables: [table], figures: { medians: figures, simulatorAborted: aborted, cuts: expectedAborts, rounds }, targets, failures };
}
