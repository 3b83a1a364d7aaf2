// Multi-turn conversations against one front end, in a process of its own.
//
// Open loop: conversations arrive at fixed times drawn up front (a Poisson
// process, from the job's seed), so every front end gets the very same
// workload whatever its speed. Each conversation opens with one of a few long
// system prompts, then takes its turns one after the other: a generateStream
// over GraphQL SSE whose prompt is the whole conversation so far (as a chat
// UI re-sends it), then a think time, then the next turn with the answer and
// a new question appended. Time to first token runs from the send to the
// first `next` event.
import { percentiles, type Percentiles } from '../lib/stats.ts';
import { GENERATE_STREAM } from '../soak/stream.ts';
import { runJob } from './child.ts';
import { closeIdleSockets, postSse } from './sse-client.ts';

export interface ConversationsJob {
  url: string;
  modelId: string;
  seed: number;
  /** New conversations arrive for this long; turns are sent until then too. */
  durationMs: number;
  /** Turns sent before this are not counted (the caches fill). */
  warmupMs: number;
  conversationsPerSecond: number;
  turns: number;
  systemPrompts: string[];
  questionChars: number;
  answerChars: number;
  /** Mean of the exponential think time between an answer and the next turn. */
  thinkMs: number;
  maxNewTokens: number;
  /** How long turns still open at the end may take. */
  drainMs: number;
}

export interface ConversationsResult {
  ttft: Percentiles;
  /** Counted turns (sent after the warm-up) that completed, and those that failed. */
  completed: number;
  failed: number;
  failures: string[];
  /** Tokens of counted turns, and the window they were sent in (ms). */
  tokens: number;
  windowMs: number;
}

/** mulberry32: a small seeded generator, so that each front end gets the same conversations. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['brake', 'chain', 'gear', 'wheel', 'saddle', 'tyre', 'pedal', 'frame', 'spoke', 'light', 'bell', 'lock', 'rack', 'fork', 'hub'];

function words(random: () => number, chars: number, tag: string): string {
  let text = tag;
  while (text.length < chars) text += ` ${WORDS[Math.floor(random() * WORDS.length)]}`;
  return text;
}

interface Conversation {
  at: number;
  system: string;
  questions: string[];
  answers: string[];
  thinks: number[];
}

function plan(job: ConversationsJob): Conversation[] {
  const random = generator(job.seed);
  const conversations: Conversation[] = [];
  for (let at = 0, n = 0; ; n++) {
    at += (-Math.log(1 - random()) / job.conversationsPerSecond) * 1000;
    if (at >= job.durationMs) return conversations;
    const system = job.systemPrompts[Math.floor(random() * job.systemPrompts.length)]!;
    const turns = Array.from({ length: job.turns }, (_, t) => t);
    conversations.push({
      at,
      system,
      questions: turns.map((t) => words(random, job.questionChars, `\nUser ${n}.${t}:`)),
      answers: turns.map((t) => words(random, job.answerChars, `\nAssistant ${n}.${t}:`)),
      thinks: turns.map(() => -Math.log(1 - random()) * job.thinkMs),
    });
  }
}

interface Payload {
  data?: { generateStream?: unknown };
  errors?: { message: string; extensions?: { code?: string } }[];
}

async function run(job: ConversationsJob): Promise<ConversationsResult> {
  const base = new URL(job.url);
  const conversations = plan(job);
  const ttfts: number[] = [];
  const failures: string[] = [];
  let completed = 0;
  let failed = 0;
  let tokens = 0;
  let open = 0;
  const t0 = performance.now();
  let allSent!: () => void;
  const done = new Promise<void>((resolve) => (allSent = resolve));
  let pending = conversations.length;
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, run: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      run();
    }, ms);
    timers.add(timer);
  };
  const finishConversation = () => {
    if (--pending === 0) allSent();
  };

  const turn = (c: Conversation, t: number, prompt: string) => {
    const sentAt = performance.now();
    if (t >= job.turns || sentAt - t0 >= job.durationMs) return finishConversation();
    const counted = sentAt - t0 >= job.warmupMs;
    const body = JSON.stringify({ query: GENERATE_STREAM, variables: { input: { modelId: job.modelId, prompt, maxNewTokens: job.maxNewTokens, seed: t + 1 } } });
    let first = true;
    let ok = true;
    let resent = false;
    open += 1;
    const send = () => postSse(base, '/graphql', body, { accept: 'text/event-stream' }, {
      event: ({ event, data }, at) => {
        if (event !== 'next') return;
        const payload = JSON.parse(data) as Payload;
        if (payload.errors !== undefined) {
          ok = false;
          if (failures.length < 5) failures.push(payload.errors[0]?.extensions?.code ?? payload.errors[0]?.message ?? 'error');
          return;
        }
        if (first && counted) ttfts.push(at - sentAt);
        first = false;
        if (counted) tokens += 1;
      },
      end: (error) => {
        // A kept-alive socket the server closed just as the turn was sent on it: sent again, timed from the first send.
        if (error !== undefined && first && !resent && /socket hang up|ECONNRESET/.test(error)) {
          resent = true;
          send();
          return;
        }
        open -= 1;
        if (error !== undefined || first) ok = false;
        if (counted) {
          if (ok) completed += 1;
          else {
            failed += 1;
            if (error !== undefined && failures.length < 5) failures.push(error);
          }
        }
        later(c.thinks[t]!, () => turn(c, t + 1, `${prompt}${c.answers[t]}${c.questions[t + 1] ?? ''}`));
      },
    });
    send();
  };

  for (const c of conversations) later(c.at, () => turn(c, 0, `${c.system}${c.questions[0]}`));
  if (conversations.length === 0) allSent();
  await Promise.race([done, new Promise((resolve) => setTimeout(resolve, job.durationMs + job.drainMs))]);
  for (const timer of timers) clearTimeout(timer);
  // Turns still open at the deadline count as failed.
  failed += open;
  closeIdleSockets();
  return { ttft: percentiles(ttfts), completed, failed, failures, tokens, windowMs: job.durationMs - job.warmupMs };
}

runJob(run);
