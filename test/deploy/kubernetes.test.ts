// deploy/kubernetes/: the manifests parse, have the right kinds, and agree with each
// other and with the gateway (its probes, its port, its settings, its drain time).
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.ts';
import { drainSeconds, HARD_DEADLINE_SECONDS, isGatewaySetting, readYaml, root } from './support.ts';

const DIR = 'deploy/kubernetes/';
const files = readdirSync(new URL(DIR, root)).filter((f) => f.endsWith('.yaml')).sort();
const manifests = Object.fromEntries(files.map((f) => [f, readYaml(DIR + f)]));
const only = (file: string) => {
  const docs = manifests[file] ?? [];
  if (docs.length !== 1) throw new Error(`${DIR}${file}: expected one document, found ${docs.length}`);
  return docs[0];
};

const deployment = only('deployment.yaml');
const service = only('service.yaml');
const hpa = only('hpa.yaml');
const pdb = only('pdb.yaml');
const configMap = only('configmap.yaml');
const secret = only('secret.example.yaml');
const kustomization = only('kustomization.yaml');
const pod = deployment.spec.template;
const [container] = pod.spec.containers;
const containerPort = (nameOrNumber: string | number) =>
  container.ports.find((p: { name?: string; containerPort: number }) => p.name === nameOrNumber || p.containerPort === nameOrNumber)?.containerPort;
/** True when every label of the selector is on the Deployment's pods. */
const selectsPods = (selector: Record<string, string>) =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => pod.metadata.labels[k] === v);

describe('deploy/kubernetes', () => {
  it('has one manifest of each kind, at its stable API version', () => {
    const kinds = Object.fromEntries(Object.entries(manifests).map(([f, [doc]]) => [f, `${doc.apiVersion} ${doc.kind}`]));
    expect(kinds).toEqual({
      'configmap.yaml': 'v1 ConfigMap',
      'deployment.yaml': 'apps/v1 Deployment',
      'hpa.yaml': 'autoscaling/v2 HorizontalPodAutoscaler',
      'kustomization.yaml': 'kustomize.config.k8s.io/v1beta1 Kustomization',
      'pdb.yaml': 'policy/v1 PodDisruptionBudget',
      'secret.example.yaml': 'v1 Secret',
      'service.yaml': 'v1 Service',
    });
  });

  it('lists every manifest in kustomization.yaml except the example Secret', () => {
    // Applying the example would put its placeholder back over the real Secret on every apply.
    expect([...kustomization.resources].sort()).toEqual(files.filter((f) => f !== 'kustomization.yaml' && f !== 'secret.example.yaml'));
  });

  it("rewrites the Deployment's image through kustomization.yaml", () => {
    expect(kustomization.images.map((i: { name: string }) => i.name)).toContain(container.image);
  });
});

describe('Deployment', () => {
  it('runs at least two pods, and a rollout never lowers that', () => {
    expect(deployment.spec.replicas).toBeGreaterThanOrEqual(2);
    expect(deployment.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
    expect(selectsPods(deployment.spec.selector.matchLabels)).toBe(true);
  });

  it('listens on the port of the image (8000), named http', () => {
    expect(containerPort('http')).toBe(8000);
  });

  it('is ready on /readyz (503 while draining) and alive on /healthz (200 while draining)', () => {
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    if (container.startupProbe) expect(container.startupProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    for (const probe of [container.readinessProbe, container.livenessProbe]) expect(containerPort(probe.httpGet.port)).toBe(8000);
  });

  it('sleeps in preStop so that routing stops before the drain begins', () => {
    expect(preStopSeconds()).toBeGreaterThan(0);
  });

  it('grants a grace period ≥ preStop + SHUTDOWN_DRAIN_MS + the 15 s hard deadline', () => {
    const needed = preStopSeconds() + drainSeconds(configMap.data) + HARD_DEADLINE_SECONDS;
    expect(pod.spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(needed);
  });

  it('runs as a non-root uid, without privilege escalation, on a read-only root filesystem', () => {
    expect(pod.spec.securityContext.runAsNonRoot).toBe(true);
    // A number: the kubelet cannot verify that the image's user *name* is not root.
    expect(pod.spec.securityContext.runAsUser).toBeGreaterThan(0);
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(pod.spec.automountServiceAccountToken).toBe(false);
  });

  it('requests CPU (the HPA measures utilization against it) and bounds memory', () => {
    expect(container.resources.requests.cpu).toBeDefined();
    expect(container.resources.limits.memory).toBeDefined();
  });

  it('takes its settings from the ConfigMap and its keys from the Secret (required)', () => {
    const sources = container.envFrom.map((s: { configMapRef?: { name: string }; secretRef?: { name: string; optional?: boolean } }) => s.configMapRef?.name ?? s.secretRef?.name);
    expect(sources).toEqual([configMap.metadata.name, secret.metadata.name]);
    // An optional Secret that is missing would start the gateway with keys off.
    expect(container.envFrom[1].secretRef.optional).not.toBe(true);
    for (const { name } of container.env ?? []) expect(isGatewaySetting(name), name).toBe(true);
    // No injected <SERVICE>_PORT variables next to the TGI_<KEY>_* settings.
    expect(pod.spec.enableServiceLinks).toBe(false);
  });

  it('is scraped by Prometheus on its port, at /metrics', () => {
    expect(pod.metadata.annotations).toMatchObject({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': String(containerPort('http')),
      'prometheus.io/path': '/metrics',
    });
  });
});

function preStopSeconds(): number {
  const preStop = container.lifecycle.preStop;
  if (preStop.sleep) return preStop.sleep.seconds;
  const [command, duration] = preStop.exec.command;
  expect(command).toBe('sleep');
  return Number(duration);
}

describe('Service, HorizontalPodAutoscaler, PodDisruptionBudget', () => {
  it("Service selects the Deployment's pods and targets their http port", () => {
    expect(selectsPods(service.spec.selector)).toBe(true);
    for (const port of service.spec.ports) expect(containerPort(port.targetPort)).toBe(8000);
  });

  it('HPA scales the Deployment on CPU, from at least two pods', () => {
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name });
    expect(hpa.spec.metrics).toContainEqual(expect.objectContaining({ type: 'Resource', resource: expect.objectContaining({ name: 'cpu' }) }));
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas);
  });

  it("PDB keeps one pod of the Deployment, and still lets evictions through at the HPA's minimum", () => {
    expect(selectsPods(pdb.spec.selector.matchLabels)).toBe(true);
    expect(pdb.spec.minAvailable).toBe(1);
    expect(pdb.spec.minAvailable).toBeLessThan(hpa.spec.minReplicas);
  });
});

describe('ConfigMap and Secret', () => {
  it('holds only strings (the API server refuses numbers and booleans in data)', () => {
    for (const [name, value] of Object.entries(configMap.data)) expect(typeof value, name).toBe('string');
    for (const [name, value] of Object.entries(secret.stringData)) expect(typeof value, name).toBe('string');
  });

  it('names only settings the gateway knows', () => {
    for (const name of [...Object.keys(configMap.data), ...Object.keys(secret.stringData)]) expect(isGatewaySetting(name), name).toBe(true);
  });

  it('is a configuration the gateway accepts, declaring models by TGI_<KEY>_*', () => {
    const config = loadConfig(configMap.data);
    expect(config.models.map((m) => m.id)).toEqual(['gpt-2', 'mistral', 'tinyllama']);
    expect(config.models.find((m) => m.id === 'tinyllama')!.endpoints).toHaveLength(2);
  });

  it('sets production mode, hides endpoints, and states the drain time', () => {
    expect(configMap.data).toMatchObject({ NODE_ENV: 'production', EXPOSE_ENDPOINTS: 'false' });
    expect(configMap.data.SHUTDOWN_DRAIN_MS).toMatch(/^\d+$/);
  });

  it('keeps API keys out of the ConfigMap', () => {
    expect(Object.keys(configMap.data).filter((n) => n.startsWith('API_KEYS'))).toEqual([]);
    expect(Object.keys(secret.stringData)).toEqual(['API_KEYS']);
  });

  it("has an example key the gateway refuses, so the example cannot run as a published key", () => {
    expect(() => loadConfig({ ...configMap.data, ...secret.stringData })).toThrow(ConfigError);
    expect(() => loadConfig({ ...configMap.data, ...secret.stringData })).toThrow(/API_KEYS/);
  });
});
