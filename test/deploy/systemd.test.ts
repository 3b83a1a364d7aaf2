// deploy/systemd/tgi-gateway.service, read as systemd reads a unit file (simply).
import { describe, expect, it } from 'vitest';
import { drainSeconds, HARD_DEADLINE_SECONDS, isGatewaySetting, read, seconds } from './support.ts';

/** Section → key → every value it is given (keys like Environment= repeat). */
function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  for (const raw of text.replace(/\\\n/g, ' ').split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[(.+)\]$/.exec(line);
    if (section) {
      current = new Map();
      sections.set(section[1]!, current);
      continue;
    }
    const eq = line.indexOf('=');
    if (!current || eq === -1) throw new Error(`not a unit line: ${line}`);
    const key = line.slice(0, eq).trim();
    current.set(key, [...(current.get(key) ?? []), line.slice(eq + 1).trim()]);
  }
  return sections;
}

const unit = parseUnit(read('deploy/systemd/tgi-gateway.service'));
const service = unit.get('Service')!;
const value = (key: string) => service.get(key)?.at(-1);
const environment = Object.fromEntries(
  (service.get('Environment') ?? []).flatMap((line) => line.split(/\s+/)).map((pair) => pair.split('=', 2) as [string, string]),
);

describe('deploy/systemd/tgi-gateway.service', () => {
  it('has [Unit], [Service] and [Install] sections, started after the network is up', () => {
    expect([...unit.keys()]).toEqual(['Unit', 'Service', 'Install']);
    expect(unit.get('Unit')!.get('After')).toContainEqual(expect.stringContaining('network-online.target'));
    expect(unit.get('Install')!.get('WantedBy')).toEqual(['multi-user.target']);
  });

  it('runs node src/main.ts itself (not npm) from the install directory', () => {
    expect(value('ExecStart')).toMatch(/^\/\S*\/node src\/main\.ts$/);
    expect(value('WorkingDirectory')).toMatch(/^\//);
  });

  it('runs as a dedicated unprivileged user, never root', () => {
    const user = value('User');
    expect(value('DynamicUser') === 'yes' || (user !== undefined && user !== 'root' && user !== '0')).toBe(true);
    expect(value('CapabilityBoundingSet')).toBe('');
  });

  it('reads its settings from an EnvironmentFile, and sets only names the gateway knows', () => {
    expect(value('EnvironmentFile')).toMatch(/^-?\//);
    expect(environment.NODE_ENV).toBe('production');
    for (const name of Object.keys(environment)) expect(isGatewaySetting(name), name).toBe(true);
  });

  it('restarts on failure only (exit 0 after a drain is a clean stop)', () => {
    expect(value('Restart')).toBe('on-failure');
  });

  it('stops with SIGTERM to the main process and waits ≥ drain + 15 s before SIGKILL', () => {
    expect(value('KillSignal')).toBe('SIGTERM');
    // mixed: SIGTERM to the primary only (it stops its WORKERS), SIGKILL to all at the timeout.
    expect(value('KillMode')).toBe('mixed');
    expect(seconds(value('TimeoutStopSec')!)).toBeGreaterThanOrEqual(drainSeconds(environment) + HARD_DEADLINE_SECONDS);
  });

  it('is hardened', () => {
    expect(Object.fromEntries(['NoNewPrivileges', 'ProtectSystem', 'ProtectHome', 'PrivateTmp', 'PrivateDevices', 'RestrictSUIDSGID'].map((k) => [k, value(k)]))).toEqual({
      NoNewPrivileges: 'yes',
      ProtectSystem: 'strict',
      ProtectHome: 'yes',
      PrivateTmp: 'yes',
      PrivateDevices: 'yes',
      RestrictSUIDSGID: 'yes',
    });
    expect(value('RestrictAddressFamilies')).toBe('AF_INET AF_INET6 AF_UNIX');
  });

  it('leaves V8 its JIT: no MemoryDenyWriteExecute', () => {
    expect(value('MemoryDenyWriteExecute') ?? 'no').toBe('no');
  });
});
