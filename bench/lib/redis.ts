// A redis-server for the runs of gateway processes that share state through
// it: nothing persisted, on a free loopback port, stopped with the others.
import { spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { spawnProgram, stop } from './procs.ts';
import { freePort, type Running } from './stack.ts';

export const redisInstalled = (): boolean => spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;

export async function startRedis(): Promise<Running> {
  const port = await freePort();
  const child = spawnProgram('redis-server', 'redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
  const url = `redis://127.0.0.1:${port}`;
  const deadline = performance.now() + 10_000;
  while (!(await answers(url))) {
    if (performance.now() > deadline) throw new Error(`redis-server not answering on ${port}:\n${child.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { url, child, stop: () => stop(child) };
}

/** One connection, one PING, no retries. */
async function answers(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}
