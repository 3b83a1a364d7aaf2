// Tool-call and JSON streams against a plain chat stream, through the gateway
// in front of each upstream protocol (a TGI simulator's Messages API, an
// OpenAI-compatible one): K concurrent chatStream subscriptions over
// graphql-ws, each kind in turn — plain text, a forced tool call (its
// arguments split over the deltas, partial arguments on each), a JSON_SCHEMA
// answer (its partial content on each). The figure is the gateway's CPU time
// per event, read from /proc: what typing a stream costs against relaying text.
// Every tool stream's deltas must join to the arguments its last event
// assembles and checks, and every JSON stream's last partial value must equal
// its content parsed.
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import type { ChatProtocol } from '../lib/chat-body.ts';
import { cpuSeconds } from '../lib/proc-stat.ts';
import { MODEL_ID, startGateway, startProtocolSimulator, type Running } from '../lib/stack.ts';
import { markdownTable, num, times } from '../lib/table.ts';
import type { ScenarioOutcome, Shared } from './types.ts';

const KINDS = ['text', 'tool call', 'JSON_SCHEMA'] as const;
type Kind = (typeof KINDS)[number];

const SCHEMA = {
  type: 'object',
  properties: { city: { type: 'string' }, days: { type: 'integer' }, tags: { type: 'array', items: { type: 'string' }, minItems: 3 } },
  required: ['city', 'days', 'tags'],
};
const QUERY = `subscription ($input: ChatInput!) { chatStream(input: $input) {
  delta finishReason
  toolCallDeltas { index id name argumentsDelta partialArguments }
  toolCalls { arguments validationErrors }
  partialContent
} }`;

function inputOf(kind: Kind, tokens: number, i: number): object {
  const base = { modelId: MODEL_ID, maxTokens: tokens, seed: i, messages: [{ role: 'USER', content: `request ${i}: the weather, please` }] };
  if (kind === 'tool call') return { ...base, tools: [{ name: 'get_weather', parameters: SCHEMA }], toolChoice: { mode: 'REQUIRED' } };
  if (kind === 'JSON_SCHEMA') return { ...base, responseFormat: { type: 'JSON_SCHEMA', name: 'weather', schema: SCHEMA } };
  return base;
}

interface Event {
  delta: string;
  toolCallDeltas: { argumentsDelta: string; partialArguments: unknown }[];
  toolCalls: { arguments: string; validationErrors: string[] }[] | null;
  partialContent: unknown;
}

/** One stream to its end; what is wrong with it, if anything. */
async function oneStream(url: string, kind: Kind, tokens: number, i: number): Promise<{ events: number; problem?: string }> {
  const client = createClient({ url: `${url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
  const events: Event[] = [];
  try {
    for await (const payload of client.iterate<{ chatStream: Event }>({ query: QUERY, variables: { input: inputOf(kind, tokens, i) } })) {
      if (payload.errors) return { events: events.length, problem: `${kind}: ${payload.errors[0]!.message}` };
      events.push(payload.data!.chatStream);
    }
  } finally {
    await client.dispose();
  }
  const last = events.at(-1);
  if (kind === 'tool call') {
    const joined = events.flatMap((e) => e.toolCallDeltas.map((d) => d.argumentsDelta)).join('');
    const call = last?.toolCalls?.[0];
    if (!call || call.arguments !== joined || call.validationErrors.length > 0) return { events: events.length, problem: `tool call ${i}: deltas do not join to a valid call` };
  }
  if (kind === 'JSON_SCHEMA') {
    const content = events.map((e) => e.delta).join('');
    if (JSON.stringify(last?.partialContent) !== JSON.stringify(JSON.parse(content))) return { events: events.length, problem: `JSON ${i}: the last partial value is not the content` };
  }
  return { events: events.length };
}

export async function runTools(shared: Shared): Promise<ScenarioOutcome> {
  const { profile, log } = shared;
  const t = profile.tools;
  const rows: string[][] = [];
  const failures: string[] = [];
  const figures: Record<string, Record<string, { events: number; cpuUsPerEvent: number }>> = {};
  for (const protocol of ['tgi', 'openai'] as ChatProtocol[]) {
    const started: Running[] = [];
    try {
      const sim = await startProtocolSimulator(`simulator (tools, ${protocol})`, protocol, { timeToFirstTokenMs: t.ttftMs, timePerTokenMs: t.tokenMs });
      started.push(sim);
      const gateway = await startGateway(sim.url, protocol);
      started.push(gateway);
      figures[protocol] = {};
      // A warm-up wave of each kind: compiles, caches and connections are not what is measured.
      for (const kind of KINDS) await Promise.all(Array.from({ length: 10 }, (_, i) => oneStream(gateway.url, kind, t.tokens, i)));
      for (const kind of KINDS) {
        log(`tools: ${protocol}, ${t.streams} ${kind} streams`);
        const before = cpuSeconds(gateway.child.pid);
        const results = await Promise.all(Array.from({ length: t.streams }, (_, i) => oneStream(gateway.url, kind, t.tokens, i)));
        const cpu = cpuSeconds(gateway.child.pid) - before;
        const events = results.reduce((n, r) => n + r.events, 0);
        failures.push(...results.flatMap((r) => (r.problem ? [r.problem] : [])).slice(0, 5));
        figures[protocol][kind] = { events, cpuUsPerEvent: (cpu * 1e6) / Math.max(1, events) };
      }
      const text = figures[protocol].text!.cpuUsPerEvent;
      for (const kind of KINDS) {
        const f = figures[protocol][kind]!;
        rows.push([protocol, kind, num(t.streams), num(f.events), num(f.cpuUsPerEvent, 1), times(f.cpuUsPerEvent / text)]);
      }
    } finally {
      await Promise.all(started.reverse().map((r) => r.stop()));
    }
  }
  const table = markdownTable(['protocol', 'stream', 'streams', 'events', 'gateway CPU µs / event', 'vs text'], rows);
  return {
    name: 'tools',
    tables: [`### tools: ${t.streams} concurrent chatStream streams of each kind, ${t.tokens} tokens each (CPU time at 10 ms resolution)\n\n${table}`],
    figures,
    targets: [],
    failures,
  };
}
