import type { Model, ModelHealth } from '../registry/model.ts';
import type { Replica } from '../registry/replica.ts';
import { builder } from './builder.ts';

const HealthStatus = builder.enumType('HealthStatus', {
  values: ['AVAILABLE', 'UNAVAILABLE', 'NOT_CONFIGURED'] as const,
});

const ReplicaState = builder.enumType('ReplicaState', {
  description: 'EJECTED: taken out of rotation after consecutive failures, until a probe succeeds.',
  values: ['HEALTHY', 'UNHEALTHY', 'EJECTED'] as const,
});

const ModelHealthRef = builder.objectRef<ModelHealth>('ModelHealth').implement({
  description: "Result of the cached check of the model's servers (`/health`; `/v1/models` where a server has no `/health`).",
  fields: (t) => ({
    modelId: t.exposeID('modelId'),
    endpoint: t.string({ nullable: true, resolve: (h, _args, ctx) => (ctx.services.exposeEndpoints ? h.endpoint : null) }),
    healthy: t.exposeBoolean('healthy'),
    status: t.field({ type: HealthStatus, resolve: (h) => h.status }),
    checkedAt: t.string({ resolve: (h) => h.checkedAt.toISOString() }),
    latencyMs: t.exposeFloat('latencyMs', { nullable: true }),
    error: t.exposeString('error', { nullable: true }),
  }),
});

const ReplicaRef = builder.objectRef<Replica>('Replica').implement({
  description: 'One server of a model (a replica): TGI or an OpenAI-compatible server.',
  fields: (t) => ({
    url: t.string({ nullable: true, resolve: (r, _args, ctx) => (ctx.services.exposeEndpoints ? r.url : null) }),
    healthy: t.boolean({ resolve: (r) => r.state === 'HEALTHY' }),
    inFlight: t.exposeInt('inFlight', { description: 'Requests of this gateway now running on the replica.' }),
    state: t.field({ type: ReplicaState, resolve: (r) => r.state }),
    queueSize: t.int({ nullable: true, description: "Requests waiting in the server's own queue (from its metrics); null when unknown.", resolve: (r) => r.queueSize ?? null }),
    kvCacheUsage: t.float({ nullable: true, description: "Share of the server's KV cache in use, 0 to 1; null when unknown.", resolve: (r) => r.kvCacheUsage ?? null }),
    prefixHits: t.exposeInt('prefixHits', { description: 'Requests sent here because this replica held the longest prefix.' }),
  }),
});

const ModelRef = builder.objectRef<Model>('Model').implement({
  description: 'A model served by one or more replicas, all speaking one protocol (TGI or the OpenAI-compatible API).',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    hfName: t.string({ description: 'Hugging Face model name.', resolve: (m) => m.hfName() }),
    endpoint: t.string({
      nullable: true,
      description: "The first replica's URL; null when endpoints are hidden or none is configured.",
      resolve: (m, _args, ctx) => (ctx.services.exposeEndpoints ? (m.replicas[0]?.url ?? null) : null),
    }),
    available: t.boolean({ resolve: async (m) => (await m.health()).healthy }),
    health: t.field({ type: ModelHealthRef, resolve: (m) => m.health() }),
    replicas: t.field({ type: [ReplicaRef], resolve: (m) => m.replicas }),
  }),
});

builder.queryFields((t) => ({
  models: t.field({ type: [ModelRef], resolve: (_root, _args, ctx) => ctx.services.registry.models }),
  model: t.field({
    type: ModelRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => ctx.services.registry.get(String(id)) ?? null,
  }),
}));
