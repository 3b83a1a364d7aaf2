// One scrape of /metrics sees every worker: the worker that receives it asks
// the primary, which gathers each worker's registry (prom-client's cluster
// aggregation) and answers. Every series carries its `worker` label.
import cluster from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';

const ASK = 'tgi-gateway:metrics';
const ANSWER = 'tgi-gateway:metrics-answer';
const TIMEOUT_MS = 5000;

interface Ask { type: typeof ASK; id: number }
interface Answer { type: typeof ANSWER; id: number; text?: string; error?: string }

/** In a worker: its registry answers the primary's gathering. */
export function serveMetricsToPrimary(registry: Registry): void {
  // Constructing one installs prom-client's listener for the primary's requests.
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries(registry);
}

let next = 0;
const waiting = new Map<number, { resolve: (text: string) => void; reject: (error: Error) => void }>();

/** How long one gathering answers every scrape: gathering costs every worker a serialisation. */
const FRESH_MS = 1000;
let recent: { at: number; text: Promise<string> } | undefined;

/** In a worker: the metrics of every worker, from the primary; scrapes within a second share one gathering. */
export function askPrimaryForMetrics(): Promise<string> {
  if (recent && performance.now() - recent.at < FRESH_MS) return recent.text;
  const text = gather();
  recent = { at: performance.now(), text };
  text.catch(() => (recent = undefined));
  return text;
}

function gather(): Promise<string> {
  const id = next++;
  if (waiting.size === 0) process.on('message', onAnswer);
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => settle(id, undefined, 'the primary did not answer'), TIMEOUT_MS);
    waiting.set(id, {
      resolve: (text) => (clearTimeout(timer), resolve(text)),
      reject: (error) => (clearTimeout(timer), reject(error)),
    });
    process.send!({ type: ASK, id } satisfies Ask);
  });
}

function onAnswer(message: unknown): void {
  const answer = message as Partial<Answer>;
  if (answer.type === ANSWER && typeof answer.id === 'number') settle(answer.id, answer.text, answer.error);
}

function settle(id: number, text: string | undefined, error: string | undefined): void {
  const request = waiting.get(id);
  if (!request) return;
  waiting.delete(id);
  if (waiting.size === 0) process.off('message', onAnswer);
  if (text !== undefined) request.resolve(text);
  else request.reject(new Error(error ?? 'no metrics'));
}

/** In the primary: answers every worker's question with the gathered metrics. */
export function gatherMetricsForWorkers(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, message: Partial<Ask>) => {
    if (message.type !== ASK || typeof message.id !== 'number') return;
    const id = message.id;
    aggregator.clusterMetrics().then(
      (text) => worker.isConnected() && worker.send({ type: ANSWER, id, text } satisfies Answer),
      (error: unknown) => worker.isConnected() && worker.send({ type: ANSWER, id, error: String(error) } satisfies Answer),
    );
  });
}
