// How the gateway's cost grows with the work: prompt size, tokens per
// generation and number of streams, over graphql-ws (one socket per stream),
// against the floor on the same protocol. Along each axis the aggregate token
// rate stays the same, so a change in cost per token comes from the axis, not
// from load. Expected shape: CPU per token flat once per-stream costs are
// amortised (the "marginal" column: cost of the extra tokens, bytes or streams
// between two rows), memory linear in open streams (KB per stream constant).
import { startSimulator } from '../lib/stack.ts';
import { median, ratio } from '../lib/stats.ts';
import { markdownTable, ms, num, signedMs, times } from '../lib/table.ts';
import type { StreamResult } from '../load/streams.ts';
import { descriptorShortfall, runStreams, withPath, type StreamPath } from './stream-runs.ts';
import type { ScenarioOutcome, Shared } from './types.ts';

const PATHS: StreamPath[] = [
  { name: 'floor', via: 'floor', transport: 'ws', sockets: 0 },
  { name: 'gateway', via: 'gateway', transport: 'ws', sockets: 0 },
];
/** Enough tokens per run for the 10 ms resolution of /proc CPU times to be a few percent at most. */
const TOKENS_PER_RUN = 4000;

interface Step {
  axis: 'prompt bytes' | 'tokens per stream' | 'streams';
  value: number;
  streams: number;
  tokens: number;
  promptBytes: number;
  tokenMs: number;
}

function stepsOf(shared: Shared): Step[] {
  const g = shared.profile.growth;
  return [
    ...g.promptBytes.map((b): Step => ({ axis: 'prompt bytes', value: b, streams: g.streams, tokens: g.promptTokens, promptBytes: b, tokenMs: g.tokenMs })),
    ...g.tokenCounts.map((t): Step => ({ axis: 'tokens per stream', value: t, streams: g.streams, tokens: t, promptBytes: 10, tokenMs: g.tokenMs })),
    ...g.streamCounts.map((k): Step => ({ axis: 'streams', value: k, streams: k, tokens: g.streamTokens, promptBytes: 10, tokenMs: (k / g.rate) * 1000 })),
  ];
}

export async function runGrowth(shared: Shared): Promise<ScenarioOutcome> {
  const { profile, instantSim, log } = shared;
  const sim = await startSimulator('simulator (growth)', { timeToFirstTokenMs: profile.streaming.ttftMs, timePerTokenMs: profile.growth.tokenMs });
  const steps = stepsOf(shared);
  const rounds: Record<string, (StreamResult | undefined)[]>[] = [];
  const skipped: string[] = [];
  const setPace = (tokenMs: number) => fetch(`${sim.url}/__simulator/timing`, { method: 'PUT', body: JSON.stringify({ timePerTokenMs: tokenMs }) }).then((r) => r.arrayBuffer());
  const run = (path: StreamPath, target: Parameters<typeof runStreams>[1], step: Step, round: number) => {
    const streamMs = profile.streaming.ttftMs + step.tokens * step.tokenMs;
    // The simulator spends ~65 ms tokenising each 100 KB prompt (one core): one wave of those is enough.
    const waves = step.promptBytes >= 100_000 ? 1 : Math.min(20, Math.max(1, Math.round(TOKENS_PER_RUN / (step.streams * step.tokens))));
    log(`growth: round ${round}/${profile.rounds}, ${path.name}, ${step.axis} ${num(step.value)} (${waves} × ${step.streams} streams × ${step.tokens} tokens)`);
    return runStreams(path, target, {
      slots: step.streams, waves, tokens: step.tokens, promptBytes: step.promptBytes, spreadMs: streamMs,
      rateWindow: undefined, refUrl: instantSim.url, tag: `g${round}`,
    }, streamMs);
  };
  try {
    for (let round = 1; round <= profile.rounds; round++) {
      const byPath: Record<string, (StreamResult | undefined)[]> = {};
      for (const path of PATHS) {
        const results: (StreamResult | undefined)[] = [];
        // Prompt and token axes share one warm process per path: they are about CPU.
        const shared = steps.filter((s) => s.axis !== 'streams');
        await setPace(profile.growth.tokenMs);
        await withPath(path, sim.url, instantSim.url, async (target) => {
          for (const step of shared) results.push(await run(path, target, step, round));
        });
        // The streams axis is about memory: a fresh process each, so no run inherits another's heap as "idle".
        for (const step of steps.filter((s) => s.axis === 'streams')) {
          const shortfall = descriptorShortfall(path, step.streams);
          if (shortfall !== undefined) {
            if (round === 1) skipped.push(`growth, ${path.name}, ${num(step.streams)} streams: skipped (${shortfall})`);
            results.push(undefined);
            continue;
          }
          await setPace(step.tokenMs);
          results.push(await withPath(path, sim.url, instantSim.url, (target) => run(path, target, step, round)));
        }
        byPath[path.name] = results;
      }
      rounds.push(byPath);
    }
  } finally {
    await sim.stop();
  }
  return summarise(steps, rounds, skipped);
}

function summarise(steps: Step[], rounds: Record<string, (StreamResult | undefined)[]>[], skipped: string[]): ScenarioOutcome {
  const failures: string[] = [];
  const rows: string[][] = [];
  const figures: Record<string, unknown>[] = [];
  const med = (path: string, i: number, f: (r: StreamResult) => number) => median(rounds.map((r) => {
    const result = r[path]?.[i];
    return result === undefined ? NaN : f(result);
  }));
  const cpu = (r: StreamResult) => r.cpuMicrosPerToken;
  const cpuPerStream = (r: StreamResult) => (r.cpuSeconds / r.streams) * 1000;
  const rssKB = (r: StreamResult) => r.rssPerStreamKiB * 1.024;
  for (const [i, step] of steps.entries()) {
    const first = steps.findIndex((s) => s.axis === step.axis);
    const previous = i === first ? undefined : i - 1;
    const gw = (f: (r: StreamResult) => number) => med('gateway', i, f);
    const vsFloor = (f: (r: StreamResult) => number) => median(rounds.map((r) => {
      const [g, fl] = [r['gateway']?.[i], r['floor']?.[i]];
      return g === undefined || fl === undefined ? NaN : ratio(f(g), f(fl));
    }));
    // What the step from the previous row cost per unit added: CPU per extra token, per extra KB of prompt, RSS per extra stream.
    const marginal = previous === undefined ? NaN : (() => {
      const cpuNow = gw((r) => r.cpuSeconds) / gw((r) => r.streams);
      const cpuBefore = med('gateway', previous, (r) => r.cpuSeconds) / med('gateway', previous, (r) => r.streams);
      if (step.axis === 'tokens per stream') return ((cpuNow - cpuBefore) / (step.tokens - steps[previous]!.tokens)) * 1e6;
      if (step.axis === 'prompt bytes') return ((cpuNow - cpuBefore) / ((step.promptBytes - steps[previous]!.promptBytes) / 1000)) * 1e6;
      const rss = (j: number) => med('gateway', j, (r) => (r.rssOpenKiB - r.rssIdleKiB) * 1.024);
      return (rss(i) - rss(previous)) / (step.streams - steps[previous]!.streams);
    })();
    const f = {
      axis: step.axis, value: step.value, streams: step.streams, tokens: step.tokens, tokenMs: step.tokenMs,
      cpuMicrosPerToken: gw(cpu), cpuVsFloor: vsFloor(cpu), cpuVsFirst: ratio(gw(cpu), med('gateway', first, cpu)),
      cpuMsPerStream: gw(cpuPerStream), cpuPerStreamVsFloor: vsFloor(cpuPerStream),
      rssKBPerStream: gw(rssKB), rssVsFloor: vsFloor(rssKB),
      marginal,
      ttftP50: gw((r) => r.ttft.p50),
      addedTtftP50VsFloor: median(rounds.map((r) => (r['gateway']?.[i]?.ttft.p50 ?? NaN) - (r['floor']?.[i]?.ttft.p50 ?? NaN))),
      ok: rounds.reduce((n, r) => n + (r['gateway']?.[i]?.check.ok ?? 0) + (r['floor']?.[i]?.check.ok ?? 0), 0),
      checked: rounds.reduce((n, r) => n + (r['gateway']?.[i]?.streams ?? 0) + (r['floor']?.[i]?.streams ?? 0), 0),
    };
    figures.push(f);
    for (const [round, r] of rounds.entries()) {
      for (const path of PATHS) {
        const result = r[path.name]?.[i];
        if (result !== undefined && result.check.ok !== result.streams) {
          failures.push(`growth round ${round + 1}, ${path.name}, ${step.axis} ${step.value}: ${result.check.lost} lost, ${result.check.garbled} garbled; ${result.check.examples.join('; ')}`);
        }
      }
    }
    const unit = step.axis === 'tokens per stream' ? 'µs/token' : step.axis === 'prompt bytes' ? 'µs/KB' : 'KB/stream';
    rows.push([
      step.axis, num(step.value), `${step.streams} × ${step.tokens} @ ${num(step.tokenMs, step.tokenMs < 10 ? 1 : 0)} ms`,
      num(f.cpuMicrosPerToken), times(f.cpuVsFloor), times(f.cpuVsFirst), ms(f.cpuMsPerStream), times(f.cpuPerStreamVsFloor),
      // Below ~100 streams, RSS per stream is the noise of V8's young generation divided by a few streams.
      step.axis === 'streams' ? num(f.rssKBPerStream, 1) : '—', step.axis === 'streams' ? times(f.rssVsFloor) : '—', Number.isFinite(marginal) ? `${num(marginal, 1)} ${unit}` : '—',
      ms(f.ttftP50), signedMs(f.addedTtftP50VsFloor), `${f.ok}/${f.checked}`,
    ]);
  }
  const table = `### growth: gateway over graphql-ws against the floor on the same protocol (median of ${rounds.length} rounds)\n\n` + markdownTable(
    ['axis', 'value', 'streams × tokens @ per-token', 'CPU µs/token', '× floor', '× first row', 'CPU ms/stream', '× floor',
      'RSS KB/stream', '× floor', 'marginal vs previous row', 'TTFT p50 ms', '+TTFT p50 vs floor', 'text ok'], rows) +
    (skipped.length > 0 ? `\n\n${skipped.join('\n')}` : '');
  return { name: 'growth', tables: [table], figures: { rows: figures, rounds }, targets: [], failures };
}
