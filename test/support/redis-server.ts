// A real redis-server on a free loopback port, for the tests of what the
// gateway keeps in Redis. Nothing is persisted: a restart starts empty, as a
// Redis that lost its data would.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { connect, createServer } from 'node:net';
import { describe, it } from 'vitest';

export const redisServerInstalled = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;

/**
 * `describe` for suites that need redis-server. Without it they are skipped
 * (with the reason printed) on a developer's machine, and fail where `CI` is
 * set, so that CI cannot skip them silently.
 */
export function describeWithRedis(name: string, suite: () => void): void {
  if (redisServerInstalled) {
    describe(name, suite);
    return;
  }
  const reason = 'redis-server is not installed (apt-get install redis-server)';
  if (process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0') {
    describe(name, () => it(`needs redis-server: ${reason}`, () => {
      throw new Error(`${reason}; CI must run the Redis tests`);
    }));
    return;
  }
  console.warn(`skipping "${name}": ${reason}`);
  describe.skip(name, suite);
}

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  readonly running: boolean;
  stop(): Promise<void>;
  /** Freezes the server (SIGSTOP): connections stay open, nothing answers, as with a Redis stuck or far away. */
  pause(): void;
  resume(): void;
  /** Stops (if running) and starts again on the same port, empty. */
  restart(): Promise<void>;
}

export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  let child: ChildProcess | undefined = await launch(port);
  const stop = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = once(running, 'exit');
    running.kill('SIGKILL');
    await exited;
  };
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get running() {
      return child !== undefined;
    },
    stop,
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
    restart: async () => {
      await stop();
      child = await launch(port);
    },
  };
}

async function launch(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', [
    '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning',
  ], { stdio: ['ignore', 'ignore', 'inherit'] });
  const deadline = Date.now() + 5_000;
  while (!(await answersPing(port))) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`redis-server did not answer PING on port ${port} within 5 s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return child;
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const finish = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => finish(data.toString().startsWith('+PONG')));
  });
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
