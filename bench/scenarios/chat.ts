// K concurrent chatStream subscriptions over graphql-ws (one socket per stream)
// at the streaming scenario's pace (20 ms to the first token, 50 ms per token),
// through the gateway in front of each upstream protocol: a TGI simulator (its
// Messages API) and an OpenAI-compatible one (vLLM's /v1/chat/completions; the
// gateway gets TGI_SIM_PROTOCOL=openai). Each gateway row is compared with the
// floor's chatStream wrapper on the same simulator; the floor's pass-through of
// /v1/chat/completions SSE and direct (the client reading that SSE itself) are
// the lower references. Every stream's deltas must add up, exactly, to the reply
// of a non-streamed /v1/chat/completions with the same body, asked of a
// zero-latency simulator of the same protocol. The gateway's own OpenAI-compatible
// /v1/chat/completions stream is compared with the floor's pass-through of the
// same SSE: the floor forwards the server's chunks untouched, the gateway reads,
// checks, counts and re-frames them.
import type { ChatProtocol } from '../lib/chat-body.ts';
import { startProtocolSimulator, type Running } from '../lib/stack.ts';
import { num } from '../lib/table.ts';
import { descriptorShortfall, runStreams, withPath, type StreamPath } from './stream-runs.ts';
import { streamTargets, summariseStreams, type Outcome, type StreamRounds } from './stream-table.ts';
import type { ScenarioOutcome, Shared } from './types.ts';

const PROTOCOLS: { protocol: ChatProtocol; label: string }[] = [
  { protocol: 'tgi', label: 'TGI' },
  { protocol: 'openai', label: 'OpenAI' },
];

export function chatPaths(): StreamPath[] {
  return PROTOCOLS.flatMap(({ protocol, label }): StreamPath[] => [
    { name: `direct chat SSE (${label})`, via: 'direct', transport: 'chat-sse', sockets: 0, protocol },
    { name: `floor chat SSE (${label})`, via: 'floor', transport: 'chat-sse', sockets: 0, protocol },
    { name: `floor graphql-ws (${label})`, via: 'floor', transport: 'chat-ws', sockets: 0, protocol },
    { name: `gateway graphql-ws (${label})`, via: 'gateway', transport: 'chat-ws', sockets: 0, protocol },
    { name: `gateway /v1 SSE (${label})`, via: 'gateway', transport: 'v1-sse', sockets: 0, protocol },
  ]);
}

/** The floor row a row is compared with: the same client protocol on the same simulator (the SSE pass-through for direct). */
function floorOf(paths: StreamPath[], path: StreamPath): StreamPath {
  const transport = path.via === 'direct' || path.transport === 'v1-sse' ? 'chat-sse' : path.transport;
  return paths.find((p) => p.via === 'floor' && p.transport === transport && p.protocol === path.protocol)!;
}

function directOf(paths: StreamPath[], path: StreamPath): StreamPath {
  return paths.find((p) => p.via === 'direct' && p.protocol === path.protocol)!;
}

export async function runChat(shared: Shared): Promise<ScenarioOutcome> {
  const { profile, instantSim, log } = shared;
  const c = profile.chat;
  const paths = chatPaths();
  const streamMs = c.ttftMs + c.tokens * c.tokenMs;
  const started: Running[] = [];
  const rounds: StreamRounds = [];
  try {
    // Per protocol: the simulator streamed from, and a zero-latency one for the expected texts.
    const sims = {} as Record<ChatProtocol, { paced: Running; instant: Running }>;
    for (const { protocol, label } of PROTOCOLS) {
      const paced = await startProtocolSimulator(`simulator (chat, ${label})`, protocol, { timeToFirstTokenMs: c.ttftMs, timePerTokenMs: c.tokenMs });
      started.push(paced);
      const instant = protocol === 'tgi' ? instantSim : await startProtocolSimulator(`simulator (zero latency, ${label})`, protocol, { timeToFirstTokenMs: 0, timePerTokenMs: 0 });
      if (instant !== instantSim) started.push(instant);
      sims[protocol] = { paced, instant };
    }
    for (let round = 1; round <= profile.rounds; round++) {
      const byPath: Record<string, Record<number, Outcome>> = {};
      for (const path of paths) {
        const sim = sims[path.protocol ?? 'tgi'];
        byPath[path.name] = await withPath(path, sim.paced.url, sim.instant.url, async (target) => {
          const byK: Record<number, Outcome> = {};
          for (const k of c.ks) {
            const shortfall = descriptorShortfall(path, k);
            if (shortfall !== undefined) {
              byK[k] = { skipped: shortfall };
              continue;
            }
            log(`chat: round ${round}/${profile.rounds}, ${path.name}, ${k} streams`);
            byK[k] = await runStreams(path, target, {
              slots: k, waves: 2, tokens: c.tokens, promptBytes: 10, spreadMs: streamMs,
              rateWindow: [streamMs, 2 * streamMs], refUrl: sim.instant.url, tag: `c${round}k${k}`,
            }, streamMs);
          }
          return byK;
        });
      }
      rounds.push(byPath);
    }
  } finally {
    await Promise.all(started.map((sim) => sim.stop()));
  }
  const { tables, medians, failures } = summariseStreams({
    scenario: 'chat',
    title: (k) => `### chat: ${num(k)} concurrent chatStream streams, ${c.tokens} tokens each`,
    paths, ks: c.ks, rounds, floorOf: (path) => floorOf(paths, path), directOf: (path) => directOf(paths, path),
  });
  const targets = streamTargets(paths, c.ks, medians, { prefix: 'chatStream, ', tenThousand: false });
  return { name: 'chat', tables, figures: { medians, rounds }, targets, failures };
}
