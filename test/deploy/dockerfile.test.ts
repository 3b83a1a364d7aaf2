// deploy/Dockerfile and .dockerignore, read as text (no Docker engine here: the
// image itself is not built by the tests).
import { readdirSync, statSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { envExample, isGatewaySetting, read, root } from './support.ts';

interface Instruction {
  keyword: string;
  args: string;
}
interface Stage {
  image: string;
  name: string | undefined;
  instructions: Instruction[];
}

/** Instructions by stage, continuation lines joined, comments dropped, ARG defaults applied to FROM. */
function parseDockerfile(text: string): Stage[] {
  const logical = text
    .split('\n')
    .filter((line) => !line.trim().startsWith('#'))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  for (const line of logical) {
    const [, keyword = '', rest = ''] = /^(\S+)\s*(.*)$/.exec(line)!;
    const upper = keyword.toUpperCase();
    if (upper === 'ARG' && stages.length === 0) {
      const [name, value = ''] = rest.split('=', 2) as [string, string?];
      args.set(name, value);
    } else if (upper === 'FROM') {
      const [image = '', as, name] = rest.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a?: string, b?: string) => args.get((a ?? b)!) ?? '').split(/\s+/);
      stages.push({ image, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else {
      stages.at(-1)!.instructions.push({ keyword: upper, args: rest.replace(/\s+/g, ' ') });
    }
  }
  return stages;
}

const stages = parseDockerfile(read('deploy/Dockerfile'));
const deps = stages.find((s) => s.name === 'deps');
const runtime = stages.at(-1)!;
const all = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
const last = (stage: Stage, keyword: string) => all(stage, keyword).at(-1);
const runtimeEnv = Object.fromEntries(all(runtime, 'ENV').flatMap((args) => args.split(' ').map((pair) => pair.split('=', 2) as [string, string])));

describe('deploy/Dockerfile', () => {
  it('builds every stage from a pinned Node 24 slim image', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage.image).toMatch(/^node:24\.\d+\.\d+-(\w+-)?slim(@sha256:[0-9a-f]{64})?$/);
  });

  it('installs production dependencies only, from the lockfile, in a deps stage', () => {
    expect(deps).toBeDefined();
    expect(all(deps!, 'COPY').join(' ')).toMatch(/package\.json package-lock\.json/);
    expect(all(deps!, 'RUN').join(' ')).toMatch(/npm ci .*--omit=dev/);
  });

  it('copies into the runtime stage node_modules from deps, package.json (read by src/app.ts) and src/', () => {
    expect(runtime.name).toBe('runtime');
    const copies = all(runtime, 'COPY');
    expect(copies).toContain('--from=deps /app/node_modules ./node_modules');
    expect(copies).toContain('package.json ./');
    expect(copies).toContain('src ./src');
  });

  it('has in the image every file src/ opens relative to itself', () => {
    // new URL('../package.json', import.meta.url) and the like: the file must be inside a copied path.
    const copied = ['src/', 'package.json', 'node_modules/'];
    const srcDir = new URL('src/', root);
    const files = (readdirSync(srcDir, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts'));
    const opened = files.flatMap((file) => {
      const url = new URL(file, srcDir);
      return [...read(`src/${file}`).matchAll(/new URL\(\s*'([^']+)',\s*import\.meta\.url\s*\)/g)]
        .map((m) => relative(fileURLToPath(root), fileURLToPath(new URL(m[1]!, url))) + (m[1]!.endsWith('/') ? '/' : ''));
    });
    expect(opened).toContain('package.json');
    for (const path of opened) expect(copied.some((c) => path === c || path.startsWith(c)), path).toBe(true);
  });

  it('sets production defaults, the listen address and port, and exposes that port', () => {
    expect(runtimeEnv).toMatchObject({ NODE_ENV: 'production', HOST: '0.0.0.0', PORT: '8000' });
    for (const name of Object.keys(runtimeEnv)) expect(isGatewaySetting(name), name).toBe(true);
    expect(last(runtime, 'EXPOSE')).toBe(runtimeEnv.PORT);
    expect(envExample.PORT).toBe(runtimeEnv.PORT);
  });

  it('runs as the non-root node user', () => {
    const user = last(runtime, 'USER');
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    // USER comes before the command it applies to.
    const index = (keyword: string) => runtime.instructions.findLastIndex((i) => i.keyword === keyword);
    expect(index('USER')).toBeLessThan(index('CMD'));
  });

  it('checks /healthz with Node itself (no curl in slim images)', () => {
    const healthcheck = last(runtime, 'HEALTHCHECK')!;
    const command = JSON.parse(healthcheck.replace(/^.*?CMD /, '')) as string[];
    expect(command.slice(0, 2)).toEqual(['node', '-e']);
    expect(command[2]).toContain('/healthz');
    expect(command[2]).toMatch(/process\.exit\(r\.ok \? 0 : 1\)|process\.exit\(r\.ok\?0:1\)/);
    expect(healthcheck).toMatch(/--timeout=\d+s/);
  });

  it('stops with SIGTERM sent to node itself: node is PID 1, not npm or a shell', () => {
    expect(last(runtime, 'STOPSIGNAL')).toBe('SIGTERM');
    expect(JSON.parse(last(runtime, 'CMD')!)).toEqual(['node', 'src/main.ts']);
    expect(all(runtime, 'ENTRYPOINT')).toEqual([]);
  });
});

/** .dockerignore semantics, enough for these patterns: globs from the root, `!` re-includes, the last match wins. */
function ignored(patterns: string[], path: string): boolean {
  const toRegex = (glob: string) =>
    new RegExp(`^${glob.replace(/^\//, '').split('**/').map((part) => part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')).join('(?:.*/)?')}$`);
  const prefixes = path.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'));
  let result = false;
  for (const pattern of patterns) {
    const negated = pattern.startsWith('!');
    const regex = toRegex(negated ? pattern.slice(1) : pattern);
    if (prefixes.some((prefix) => regex.test(prefix))) result = !negated;
  }
  return result;
}

describe('.dockerignore', () => {
  const patterns = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));

  it('keeps secrets, host installs, history and test output out of the build context', () => {
    for (const path of ['.env', '.env.production', 'deploy/.env', 'node_modules/graphql/index.js', 'src/node_modules/x', '.git/HEAD', '.vitest-report.json', 'coverage/index.html', 'dist/main.js', 'test/env-example.test.ts', 'npm-debug.log']) {
      expect(ignored(patterns, path), path).toBe(true);
    }
  });

  it('sends everything the Dockerfile copies', () => {
    const sources = (readdirSync(new URL('src/', root), { recursive: true }) as string[])
      .filter((f) => statSync(new URL(`src/${f}`, root)).isFile())
      .map((f) => `src/${f}`);
    for (const path of ['package.json', 'package-lock.json', ...sources]) expect(ignored(patterns, path), path).toBe(false);
  });
});
