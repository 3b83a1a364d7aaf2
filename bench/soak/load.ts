// The closed-loop load: N virtual users, each starting its next stream as soon
// as the previous one ends, with a fixed mix of ways to end a stream.
import { pick, randomInt } from './random.ts';
import { sseStream } from './sse-stream.ts';
import type { Cut, StreamInput } from './stream.ts';
import type { Tally } from './tally.ts';
import { WsUser, wsStream } from './ws-stream.ts';

export interface Plan {
  transport: 'ws' | 'sse';
  /** null: let the stream run to its end. */
  cut: Cut | null;
}

/** ~60% run to completion, ~25% unsubscribe, ~10% close the socket, ~5% abort an SSE fetch. */
export function pickPlan(maxNewTokens: number): Plan {
  const roll = Math.random();
  // Anywhere from before the first token to just before the last one.
  const afterTokens = randomInt(0, maxNewTokens - 1);
  if (roll < 0.6) return { transport: 'ws', cut: null };
  if (roll < 0.85) return { transport: 'ws', cut: { how: 'unsubscribe', afterTokens } };
  if (roll < 0.95) return { transport: 'ws', cut: { how: 'close', afterTokens } };
  return { transport: 'sse', cut: { how: 'abort', afterTokens } };
}

const PROMPTS = ['Tell me a story', 'Explain TCP slow start', 'Write a haiku about GPUs', 'Summarise this soak test'];

export function randomInput(): StreamInput {
  return { modelId: 'pool', prompt: `${pick(PROMPTS)} #${randomInt(1, 1_000_000)}`, maxNewTokens: randomInt(5, 60) };
}

export interface Load {
  /** Streams in flight right now. */
  readonly running: number;
  /** Lets each user finish its current stream, then closes every client. */
  stop(): Promise<void>;
}

export function startLoad(gatewayUrl: string, concurrency: number, tally: Tally): Load {
  const wsUrl = `${gatewayUrl.replace(/^http/, 'ws')}/graphql`;
  let stopping = false;
  let running = 0;

  async function virtualUser(): Promise<void> {
    const user = new WsUser(wsUrl);
    try {
      while (!stopping) {
        const input = randomInput();
        const plan = pickPlan(input.maxNewTokens);
        tally.start();
        running += 1;
        const outcome = plan.transport === 'sse'
          ? await sseStream(gatewayUrl, input, plan.cut)
          : await wsStream(user, input, plan.cut);
        running -= 1;
        tally.record(outcome);
      }
    } finally {
      await user.dispose();
    }
  }

  const users = Array.from({ length: concurrency }, () => virtualUser());
  return {
    get running() {
      return running;
    },
    async stop() {
      stopping = true;
      await Promise.all(users);
    },
  };
}
