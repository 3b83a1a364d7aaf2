// K concurrent generateStream subscriptions at a realistic pace (20 ms to the
// first token, 50 ms per token), over graphql-ws (one socket per stream, and
// multiplexed on a few) and GraphQL over SSE, each compared with the floor
// proxy on the same client protocol and with TGI's own SSE straight from the
// simulator. Every stream of every run is checked for its exact text.
import { startSimulator } from '../lib/stack.ts';
import { num } from '../lib/table.ts';
import { descriptorShortfall, runStreams, withPath, type StreamPath } from './stream-runs.ts';
import { streamTargets, summariseStreams, type Outcome, type StreamRounds } from './stream-table.ts';
import type { ScenarioOutcome, Shared } from './types.ts';

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
  const rounds: StreamRounds = [];
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
  const direct = paths.find((p) => p.via === 'direct')!;
  const { tables, medians, failures } = summariseStreams({
    scenario: 'streaming',
    title: (k) => `### streaming: ${num(k)} concurrent streams, ${s.tokens} tokens each`,
    paths, ks: s.ks, rounds, floorOf: (path) => floorOf(paths, path), directOf: () => direct,
  });
  const targets = streamTargets(paths, s.ks, medians, { prefix: '', tenThousand: true });
  return { name: 'streaming', tables, figures: { medians, rounds }, targets, failures };
}

