// Replicas' /metrics as a running gateway reads them: a server without the
// page is asked less and less often, not every UPSTREAM_METRICS_INTERVAL_MS
// forever, while its sibling that has one is read every interval; requests
// still reach both; and once the page appears it is picked up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/simulator/index.ts';
import { GenerateDocument } from '../gql/graphql.ts';
import { post } from './clients.ts';
import { settled, startGateway, startSimulators } from './harness.ts';

interface ReplicaView { url: string; queueSize: number | null }

async function replicasOf(url: string): Promise<ReplicaView[]> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ model(id: "pool") { replicas { url queueSize } } }' }),
  });
  return ((await res.json()) as { data: { model: { replicas: ReplicaView[] } } }).data.model.replicas;
}

describe('reading replicas that have no /metrics', () => {
  let sims: Simulator[];
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  beforeAll(async () => {
    sims = await startSimulators(2);
    sims[1]!.setFaults({ metricsStatus: 404 });
    gateway = await startGateway({ POOL: sims }, { UPSTREAM_METRICS_INTERVAL_MS: '50' });
  });
  afterAll(async () => {
    await settled(gateway.app, sims);
    await gateway.app.stop(0);
    await Promise.all(sims.map((s) => s.close()));
  });
  const reads = (sim: Simulator) => sim.stats().requestsByRoute['GET /metrics'] ?? 0;

  it('asks the one answering 404 a handful of times over a window in which its sibling is read every interval', async () => {
    const [withPage, without] = sims as [Simulator, Simulator];
    const before = [reads(withPage), reads(without)];
    await new Promise((r) => setTimeout(r, 2000));
    const everyInterval = reads(withPage) - before[0]!;
    const backedOff = reads(without) - before[1]!;
    // The same timer reads both: however slow this machine, the sibling's count is the window in intervals.
    expect(everyInterval).toBeGreaterThanOrEqual(8);
    // 2, 4, 8 … intervals apart: about log2 of the window's intervals.
    expect(backedOff).toBeLessThanOrEqual(Math.ceil(Math.log2(everyInterval)) + 1);
    const views = await replicasOf(gateway.url);
    expect(views.find((v) => v.url === without.url)?.queueSize).toBeNull();
    expect(views.find((v) => v.url === withPage.url)?.queueSize).toBe(0);
  });

  it('still sends it requests, judged by its in-flight count', async () => {
    const served = () => sims.map((s) => s.stats().requestsByRoute['POST /generate'] ?? 0);
    const before = served();
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => post(gateway.url, GenerateDocument, { input: { modelId: 'pool', prompt: `Question ${i}`, maxNewTokens: 2 } })));
    expect(answers.every((a) => a.errors === undefined)).toBe(true);
    expect(served().map((n, i) => n - before[i]!).every((n) => n > 0)).toBe(true);
  });

  it('picks the page up once the server has it', async () => {
    const without = sims[1]!;
    without.clearFaults();
    // The next read due comes within the gap reached so far: a few seconds at most here.
    let view: ReplicaView | undefined;
    const deadline = Date.now() + 15_000;
    while (view?.queueSize == null && Date.now() < deadline) {
      view = (await replicasOf(gateway.url)).find((v) => v.url === without.url);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(view?.queueSize).toBe(0);
  });
});
