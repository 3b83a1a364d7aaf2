// deploy/compose.yaml: the gateway built from deploy/Dockerfile, in front of one TGI.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { drainSeconds, HARD_DEADLINE_SECONDS, interpolateUnset, isGatewaySetting, read, readYaml, root, seconds } from './support.ts';

const [compose] = readYaml('deploy/compose.yaml');
const { gateway, tgi } = compose.services;

/** `environment:` as a map or a list, with ${VAR:-default} as if nothing were set. */
function environmentOf(service: { environment?: Record<string, unknown> | string[] }): Record<string, string> {
  const entries = Array.isArray(service.environment)
    ? service.environment.map((line) => line.split('=', 2) as [string, string?])
    : Object.entries(service.environment ?? {});
  return Object.fromEntries(entries.map(([name, value]) => [name, interpolateUnset(String(value ?? ''))]));
}
const gatewayEnv = environmentOf(gateway);

describe('deploy/compose.yaml', () => {
  it('has the gateway and a TGI service', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['gateway', 'tgi']);
  });

  it('builds the gateway from the repository root with deploy/Dockerfile', () => {
    const context = new URL(`${gateway.build.context}/`, new URL('deploy/', root));
    expect(context.href).toBe(root.href);
    expect(existsSync(new URL(gateway.build.dockerfile, context))).toBe(true);
  });

  it("publishes the gateway's port", () => {
    expect(gateway.ports.map(String)).toContain('8000:8000');
  });

  it('gives the gateway only settings it knows, and a configuration it accepts', () => {
    for (const name of Object.keys(gatewayEnv)) expect(isGatewaySetting(name), name).toBe(true);
    const config = loadConfig(gatewayEnv);
    expect(config.models.map((m) => m.id)).toEqual(['gpt-2']);
    expect(gatewayEnv).toMatchObject({ NODE_ENV: 'production', EXPOSE_ENDPOINTS: 'false' });
  });

  it('points every model endpoint at a service of this file, on the port TGI listens on (80)', () => {
    const urls = Object.entries(gatewayEnv)
      .filter(([name]) => /^TGI_[A-Z0-9_]+_ENDPOINT$/.test(name))
      .flatMap(([, value]) => value.split(',').filter((u) => u !== ''))
      .map((u) => new URL(u));
    expect(urls.length).toBeGreaterThan(0);
    for (const url of urls) {
      expect(Object.keys(compose.services)).toContain(url.hostname);
      expect(url.port || '80').toBe('80');
    }
  });

  it('starts the gateway once TGI is healthy, and TGI is healthy when /health answers', () => {
    expect(gateway.depends_on.tgi.condition).toBe('service_healthy');
    expect(tgi.healthcheck.test.join(' ')).toMatch(/http:\/\/(127\.0\.0\.1|localhost)(:80)?\/health\b/);
    // The first start downloads the weights: the check must not give up meanwhile.
    expect(seconds(tgi.healthcheck.start_period)).toBeGreaterThanOrEqual(60);
  });

  it('keeps the healthcheck of the image (/healthz) on the gateway', () => {
    expect(gateway.healthcheck?.disable).not.toBe(true);
  });

  it('waits for the drain on `docker compose stop`: stop_grace_period ≥ drain + 15 s', () => {
    expect(seconds(gateway.stop_grace_period)).toBeGreaterThanOrEqual(drainSeconds(gatewayEnv) + HARD_DEADLINE_SECONDS);
  });

  it('runs the gateway with a read-only root filesystem and no capabilities', () => {
    expect(gateway.read_only).toBe(true);
    expect(gateway.cap_drop).toEqual(['ALL']);
    expect(gateway.security_opt).toContain('no-new-privileges:true');
  });

  it("runs a pinned TGI image with a small model, shared memory and a volume for its cache", () => {
    expect(tgi.image).toMatch(/^ghcr\.io\/huggingface\/text-generation-inference:\d+\.\d+\.\d+/);
    expect(tgi.command.join(' ')).toContain('--model-id=gpt2');
    expect(tgi.shm_size).toBeDefined();
    expect(tgi.volumes.map((v: string) => v.split(':')[1])).toContain('/data');
    expect(tgi.ports).toBeUndefined();
  });

  it('reserves a GPU only on request (commented out, or under a profile)', () => {
    const devices = tgi.deploy?.resources?.reservations?.devices;
    if (devices === undefined) expect(read('deploy/compose.yaml')).toMatch(/#\s+capabilities: \[gpu\]/);
    else expect(tgi.profiles).toBeDefined();
  });
});
