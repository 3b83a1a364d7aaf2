// Prometheus metrics (prom-client). Counters and histograms are fed once per
// generation, when it ends (never per token); gauges are read from the live
// state when /metrics is scraped, so they cost nothing in between.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { isStreamed, type AnswerReport, type GenerationReport } from '../generation/report.ts';
import type { Generation } from '../generation/generation.ts';
import type { Registry as ModelRegistry } from '../registry/registry.ts';
import type { Replica, ReplicaEvent, ReplicaState } from '../registry/replica.ts';
import type { Observer, Refusal } from './observer.ts';

const PREFIX = 'tgi_gateway_';
const STATES: readonly ReplicaState[] = ['HEALTHY', 'UNHEALTHY', 'EJECTED'];
/** From a cached answer to a slow prefill on a busy GPU. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
const PER_TOKEN_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.02, 0.035, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1];

export interface MetricsSources {
  models: ModelRegistry;
  /** Generations under way. */
  active: () => ReadonlySet<Generation>;
  /** Replica labels: their URL, or their place in the model's list when endpoints are hidden. */
  exposeEndpoints: boolean;
  /** Labels every series with the worker, when several processes share the port. */
  worker?: string | undefined;
  /** What /metrics serves instead of this registry (every worker's, gathered by the primary). */
  render?: (() => Promise<string>) | undefined;
}

/** The protocol label of a model that does not exist (a refusal). */
const UNKNOWN = '(unknown)';

export class Metrics implements Observer {
  readonly registry = new Registry();
  readonly #requests: Counter<'model' | 'protocol' | 'operation' | 'transport' | 'code'>;
  readonly #refusals: Counter<'transport' | 'code'>;
  readonly #duration: Histogram<'model' | 'protocol' | 'operation'>;
  readonly #firstToken: Histogram<'model' | 'protocol' | 'operation'>;
  readonly #perToken: Histogram<'model'>;
  readonly #tokens: Counter<'model' | 'protocol' | 'operation'>;
  readonly #retries: Counter<'model'>;
  readonly #continuations: Counter<'model' | 'code'>;
  readonly #ejections: Counter<'model' | 'replica'>;
  readonly #routing: Counter<'model' | 'reason'>;
  readonly #toolCalls: Counter<'model' | 'operation' | 'transport' | 'outcome'>;
  readonly #toolAnswers: Counter<'model' | 'operation' | 'transport' | 'tool_choice' | 'answer'>;
  readonly #structured: Counter<'model' | 'operation' | 'transport' | 'format' | 'outcome'>;
  readonly #replicaNames = new WeakMap<Replica, { model: string; replica: string }>();
  readonly #render: () => Promise<string>;

  constructor(sources: MetricsSources) {
    const { registry } = this;
    this.#render = sources.render ?? (() => registry.metrics());
    if (sources.worker !== undefined) registry.setDefaultLabels({ worker: sources.worker });
    collectDefaultMetrics({ register: registry });
    for (const model of sources.models.models) {
      model.replicas.forEach((replica, index) => {
        this.#replicaNames.set(replica, { model: model.id, replica: sources.exposeEndpoints ? replica.url : String(index) });
      });
    }
    const labels = (replica: Replica) => this.#replicaNames.get(replica) ?? { model: '', replica: '' };

    this.#requests = new Counter({
      name: `${PREFIX}requests_total`,
      help: 'Generation requests by model, its protocol (tgi, openai), operation, transport and outcome code (OK, CANCELLED when the client left, or the error code).',
      labelNames: ['model', 'protocol', 'operation', 'transport', 'code'],
      registers: [registry],
    });
    this.#refusals = new Counter({
      name: `${PREFIX}refused_requests_total`,
      help: 'Requests refused before any operation ran (missing key, cross-site, too large, malformed), by transport and code.',
      labelNames: ['transport', 'code'],
      registers: [registry],
    });
    this.#duration = new Histogram({
      name: `${PREFIX}generation_duration_seconds`,
      help: 'Time from admission to the end of a generation that reached a model server.',
      labelNames: ['model', 'protocol', 'operation'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    });
    this.#firstToken = new Histogram({
      name: `${PREFIX}first_token_seconds`,
      help: 'Time from admission to the first token of a stream (or to the whole answer of a unary generation), retries included.',
      labelNames: ['model', 'protocol', 'operation'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    });
    this.#perToken = new Histogram({
      name: `${PREFIX}time_per_output_token_seconds`,
      help: 'Mean time between tokens of each stream after its first.',
      labelNames: ['model'],
      buckets: PER_TOKEN_BUCKETS,
      registers: [registry],
    });
    this.#tokens = new Counter({
      name: `${PREFIX}tokens_total`,
      help: 'Tokens generated (received from model servers; the server\'s own count where it reports usage), counted when each generation ends.',
      labelNames: ['model', 'protocol', 'operation'],
      registers: [registry],
    });
    this.#retries = new Counter({
      name: `${PREFIX}retries_total`,
      help: 'Attempts after the first, on another replica, before any token.',
      labelNames: ['model'],
      registers: [registry],
    });
    this.#continuations = new Counter({
      name: `${PREFIX}stream_continuations_total`,
      help: 'Streams gone on from another replica after theirs failed mid-stream (STREAM_FAILOVER), by model and how the stream ended.',
      labelNames: ['model', 'code'],
      registers: [registry],
    });
    this.#ejections = new Counter({
      name: `${PREFIX}replica_ejections_total`,
      help: 'Replicas ejected after consecutive failures.',
      labelNames: ['model', 'replica'],
      registers: [registry],
    });
    this.#routing = new Counter({
      name: `${PREFIX}routing_decisions_total`,
      help: "Replicas chosen for generations, by model and reason: prefix (it held the longest prompt prefix), load (the least loaded), fallback (none was healthy).",
      labelNames: ['model', 'reason'],
      registers: [registry],
    });
    // Every label below is a closed set (outcomes, choices, formats) or a model the registry
    // holds. Tool names are the client's, any 64 characters and new ones with each request:
    // as labels they would mint series at will, so they are in the access log's line instead.
    this.#toolCalls = new Counter({
      name: `${PREFIX}tool_calls_total`,
      help: "Tool calls in whole chat answers, by how their arguments stood against the client's schema: valid, invalid_json, schema_mismatch, unknown_tool (a tool not offered), unchecked (the check could not run).",
      labelNames: ['model', 'operation', 'transport', 'outcome'],
      registers: [registry],
    });
    this.#toolAnswers = new Counter({
      name: `${PREFIX}tool_answers_total`,
      help: 'Whole chat answers to requests that offered tools, by the tool choice asked (auto, none, required, function) and whether the model answered with calls or in text.',
      labelNames: ['model', 'operation', 'transport', 'tool_choice', 'answer'],
      registers: [registry],
    });
    this.#structured = new Counter({
      name: `${PREFIX}structured_answers_total`,
      help: 'Whole chat answers asked as JSON (json_object, json_schema) and given in text, by outcome: valid, invalid_json, schema_mismatch, unchecked (the check could not run).',
      labelNames: ['model', 'operation', 'transport', 'format', 'outcome'],
      registers: [registry],
    });
    new Gauge({
      name: `${PREFIX}replica_queue_size`,
      help: "Requests waiting in each replica's own queue, from its /metrics (absent while unknown).",
      labelNames: ['model', 'replica'],
      registers: [registry],
      collect() {
        this.reset();
        for (const replica of sources.models.replicas) if (replica.queueSize !== undefined) this.set(labels(replica), replica.queueSize);
      },
    });
    new Gauge({
      name: `${PREFIX}in_flight_generations`,
      help: 'Generations under way, by model and operation.',
      labelNames: ['model', 'operation'],
      registers: [registry],
      collect() {
        this.reset();
        for (const generation of sources.active()) this.inc({ model: generation.model.id, operation: generation.request.operation });
      },
    });
    new Gauge({
      name: `${PREFIX}active_subscriptions`,
      help: 'Streams under way (generateStream, chatStream, /v1 with stream: true), by transport.',
      labelNames: ['transport'],
      registers: [registry],
      collect() {
        this.reset();
        for (const transport of ['ws', 'sse', 'http', 'openai'] as const) this.set({ transport }, 0);
        for (const generation of sources.active()) {
          if (isStreamed(generation.request.operation)) this.inc({ transport: generation.request.transport });
        }
      },
    });
    new Gauge({
      name: `${PREFIX}replica_healthy`,
      help: '1 when the replica is HEALTHY (its /health answers and it is not ejected), else 0.',
      labelNames: ['model', 'replica'],
      registers: [registry],
      collect() {
        for (const replica of sources.models.replicas) this.set(labels(replica), replica.state === 'HEALTHY' ? 1 : 0);
      },
    });
    new Gauge({
      name: `${PREFIX}replica_state`,
      help: '1 for the state the replica is in (HEALTHY, UNHEALTHY, EJECTED), 0 for the others.',
      labelNames: ['model', 'replica', 'state'],
      registers: [registry],
      collect() {
        for (const replica of sources.models.replicas) {
          const state = replica.state;
          for (const s of STATES) this.set({ ...labels(replica), state: s }, s === state ? 1 : 0);
        }
      },
    });
    new Gauge({
      name: `${PREFIX}replica_in_flight`,
      help: "This gateway's requests under way on each replica.",
      labelNames: ['model', 'replica'],
      registers: [registry],
      collect() {
        for (const replica of sources.models.replicas) this.set(labels(replica), replica.inFlight);
      },
    });
    this.replicaEvent = (replica, event) => {
      if (event.kind === 'ejected') this.#ejections.inc(labels(replica));
    };
  }

  /** For the registry's state-change events. */
  readonly replicaEvent: (replica: Replica, event: ReplicaEvent) => void;

  finished(report: GenerationReport): void {
    const { model, protocol, request, code } = report;
    const { operation, transport } = request;
    this.#requests.inc({ model, protocol, operation, transport, code });
    const retries = report.attempts - 1 - report.continuations;
    if (retries > 0) this.#retries.inc({ model }, retries);
    if (report.continuations > 0) this.#continuations.inc({ model, code }, report.continuations);
    if (report.routing !== undefined) this.#routing.inc({ model, reason: report.routing });
    this.#duration.observe({ model, protocol, operation }, report.totalMs / 1000);
    if (report.timeToFirstTokenMs !== null) this.#firstToken.observe({ model, protocol, operation }, report.timeToFirstTokenMs / 1000);
    if (report.generatedTokens > 0) this.#tokens.inc({ model, protocol, operation }, report.generatedTokens);
    if (isStreamed(operation) && report.generatedTokens > 1 && report.timeToFirstTokenMs !== null) {
      this.#perToken.observe({ model }, (report.totalMs - report.timeToFirstTokenMs) / 1000 / (report.generatedTokens - 1));
    }
  }

  /** Once per whole chat answer that offered tools, asked JSON or holds calls. */
  checked(answer: AnswerReport): void {
    const { model, request } = answer;
    const { operation, transport } = request;
    for (const call of answer.toolCalls) this.#toolCalls.inc({ model, operation, transport, outcome: call.outcome });
    if (answer.toolChoice !== undefined) {
      this.#toolAnswers.inc({ model, operation, transport, tool_choice: answer.toolChoice, answer: answer.toolCalls.length > 0 ? 'calls' : 'text' });
    }
    if (answer.format !== undefined && answer.content !== undefined) this.#structured.inc({ model, operation, transport, format: answer.format, outcome: answer.content });
  }

  /** At the door, before any operation; or by the generation service, counted with the generations. */
  refused(refusal: Refusal): void {
    if (refusal.stage === 'door') {
      this.#refusals.inc({ transport: refusal.transport, code: refusal.code });
      return;
    }
    const { operation, transport } = refusal.request;
    this.#requests.inc({ model: refusal.model, protocol: refusal.protocol ?? UNKNOWN, operation, transport, code: refusal.code });
  }

  render(): Promise<string> {
    return this.#render();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
