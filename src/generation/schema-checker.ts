// Clients' schemas are compiled and checked in one worker thread
// (schema-worker.ts): ajv spends milliseconds compiling a schema, and a
// request may carry 128 of them, which on the event loop would hold every
// other request and /healthz. The worker starts on first use and is
// referenced only while it has work. It takes jobs in order; the one it is on
// may take JOB_TIMEOUT_MS (counted from when it reached the head of the
// queue), else the worker is ended and the jobs fail (a schema refused for its
// cost, a value left unchecked); the next job starts a new worker.
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { JsonValue } from '../upstream/types.ts';
import { SchemaRefused } from './json-schemas.ts';
import type { SchemaReply, SchemaRequest } from './schema-messages.ts';

// A runaway guard, not a budget: bounded schemas compile in milliseconds, but a loaded machine
// (the worker runs at the lowest priority, and a fresh one loads ajv first) stretches that to seconds.
const JOB_TIMEOUT_MS = 30_000;

// The worker's file beside this one, whatever this one is (.ts from source, .js once built).
const WORKER_URL = new URL(`./schema-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url);

type Pending = { resolve: (reply: SchemaReply) => void; reject: (error: Error) => void };
type Ask = SchemaRequest extends infer R ? (R extends SchemaRequest ? Omit<R, 'id'> : never) : never;

class SchemaWorker {
  #worker: Worker | undefined;
  /** In the order sent, which is the order the worker answers. */
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;
  /** The deadline of the job at the head of the queue. */
  #timer: NodeJS.Timeout | undefined;

  ask(request: Ask): Promise<SchemaReply> {
    const worker = this.#started();
    const id = this.#nextId++;
    return new Promise<SchemaReply>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      if (this.#pending.size === 1) this.#arm(worker);
      worker.ref();
      worker.postMessage({ ...request, id });
    });
  }

  #arm(worker: Worker): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#end(worker, new Error(`the schema work took over ${JOB_TIMEOUT_MS} ms`)), JOB_TIMEOUT_MS);
  }

  #started(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(WORKER_URL);
    worker.unref();
    worker.on('message', (reply: SchemaReply) => {
      const pending = this.#pending.get(reply.id);
      if (!pending) return;
      this.#pending.delete(reply.id);
      clearTimeout(this.#timer);
      if (this.#pending.size === 0) worker.unref();
      else this.#arm(worker);
      pending.resolve(reply);
    });
    worker.on('error', (error) => this.#end(worker, error));
    worker.on('exit', () => this.#end(worker, new Error('the schema worker stopped')));
    this.#worker = worker;
    return worker;
  }

  /** Every job under way fails with `error`; the worker is ended, and a new one starts on the next job. */
  #end(worker: Worker, error: Error): void {
    if (this.#worker !== worker) return;
    this.#worker = undefined;
    void worker.terminate();
    clearTimeout(this.#timer);
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
  }
}

const worker = new SchemaWorker();

/** Compiles each schema (JSON text); the first refused throws SchemaRefused with its index. */
export async function compileSchemas(schemas: readonly string[]): Promise<void> {
  if (schemas.length === 0) return;
  let reply: SchemaReply;
  try {
    reply = await worker.ask({ op: 'compile', schemas: [...schemas] });
  } catch (error) {
    throw new SchemaRefused(`it could not be compiled: ${(error as Error).message}`);
  }
  if ('failed' in reply) throw new Error(`schema compilation failed: ${reply.failed}`);
  if ('refused' in reply && reply.refused) throw new SchemaRefused(reply.refused.message, reply.refused.index);
}

/** Where a value breaks a schema; `checked` false when it could not be checked (the errors then say why). */
export interface SchemaCheck {
  readonly errors: string[];
  readonly checked: boolean;
}

/** Where `value` breaks the schema (JSON text); no errors when it holds. */
export async function checkAgainst(schema: string, value: JsonValue): Promise<SchemaCheck> {
  try {
    const reply = await worker.ask({ op: 'check', schema, value });
    if ('errors' in reply) return { errors: reply.errors, checked: true };
    return { errors: [`/ could not be checked: ${'failed' in reply ? reply.failed : 'no answer'}`], checked: false };
  } catch (error) {
    return { errors: [`/ could not be checked: ${(error as Error).message}`], checked: false };
  }
}
