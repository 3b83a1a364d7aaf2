// The registry through GraphQL: models, their health from a cached /health
// probe shared by concurrent queries, and hfName from TGI's /info.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayInfoDocument, ModelDocument, ModelsDocument } from '../gql/graphql.ts';
import type { Simulator } from '../../src/simulator/index.ts';
import { post } from './clients.ts';
import { startGateway, startSimulators } from './harness.ts';

describe('models and their health', () => {
  let sims: Simulator[];
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  beforeAll(async () => {
    sims = await startSimulators(2, { modelId: 'acme/tiny-7b' });
    gateway = await startGateway(
      { GPT2: [sims[0]!], DUO: [sims[0]!, sims[1]!], MISTRAL: '' },
      { TGI_GPT2_ID: 'gpt-2', TGI_GPT2_NAME: 'GPT-2', TGI_GPT2_HF_NAME: 'gpt2', HEALTH_CACHE_TTL_MS: '60000' },
    );
  });
  afterAll(async () => {
    await gateway.app.stop(0);
    await Promise.all(sims.map((s) => s.close()));
  });
  const healthProbes = () => sims.reduce((n, s) => n + (s.stats().requestsByRoute['GET /health'] ?? 0), 0);

  it('describes the gateway itself', async () => {
    const { data } = await post(gateway.url, GatewayInfoDocument);
    expect(data!.info.name).toBe('tgi-graphql-gateway');
    expect(data!.info.uptimeSeconds).toBeGreaterThanOrEqual(0);
  });

  it('lists every declared model with its configuration, /info and health', async () => {
    const { data } = await post(gateway.url, ModelsDocument);
    const byId = Object.fromEntries(data!.models.map((m) => [m.id, m]));
    expect(Object.keys(byId).sort()).toEqual(['duo', 'gpt-2', 'mistral']);
    expect(byId['gpt-2']).toMatchObject({ name: 'GPT-2', hfName: 'gpt2', endpoint: sims[0]!.url, available: true });
    expect(byId['gpt-2']!.health).toMatchObject({ modelId: 'gpt-2', healthy: true, status: 'AVAILABLE', error: null });
    expect(byId.duo!.hfName).toBe('acme/tiny-7b'); // from TGI's /info
    expect(byId.duo!.replicas.map((r) => r.url)).toEqual([sims[0]!.url, sims[1]!.url]);
    expect(byId.mistral).toMatchObject({ endpoint: null, available: false, health: { status: 'NOT_CONFIGURED', healthy: false } });
  });

  it('answers null for an unknown model id', async () => {
    const { data } = await post(gateway.url, ModelDocument, { id: 'nope' });
    expect(data!.model).toBeNull();
  });

  it('reuses the cached /health result within its TTL, however many ask', async () => {
    const before = healthProbes();
    await Promise.all(Array.from({ length: 20 }, () => post(gateway.url, ModelsDocument)));
    expect(healthProbes()).toBe(before);
  });

  it('shares one probe among concurrent queries once the cache is stale', async () => {
    const fresh = await startGateway({ ONE: [sims[1]!] }, { HEALTH_CACHE_TTL_MS: '0' });
    const before = sims[1]!.stats().requestsByRoute['GET /health'] ?? 0;
    await Promise.all(Array.from({ length: 10 }, () => post(fresh.url, ModelDocument, { id: 'one' })));
    const probes = (sims[1]!.stats().requestsByRoute['GET /health'] ?? 0) - before;
    expect(probes).toBeGreaterThanOrEqual(1);
    expect(probes).toBeLessThan(10);
    await fresh.app.stop(0);
  });

  it('reports UNAVAILABLE with the reason when TGI is unhealthy', async () => {
    sims[1]!.setFaults({ unhealthy: true });
    const fresh = await startGateway({ SICK: [sims[1]!] });
    const { data } = await post(fresh.url, ModelDocument, { id: 'sick' });
    expect(data!.model).toMatchObject({ available: false, health: { status: 'UNAVAILABLE', healthy: false } });
    expect(data!.model!.health.error).toMatch(/unhealthy/);
    sims[1]!.clearFaults();
    await fresh.app.stop(0);
  });

  it('hides replica URLs when EXPOSE_ENDPOINTS=false', async () => {
    const hidden = await startGateway({ ONE: [sims[0]!] }, { EXPOSE_ENDPOINTS: 'false' });
    const { data } = await post(hidden.url, ModelsDocument);
    expect(data!.models[0]!.endpoint).toBeNull();
    expect(data!.models[0]!.health.endpoint).toBeNull();
    expect(data!.models[0]!.replicas[0]!.url).toBeNull();
    await hidden.app.stop(0);
  });
});
