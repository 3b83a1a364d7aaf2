// The schema worker: compiles clients' JSON Schemas and checks values against
// them off the event loop (json-schemas.ts does the work). Messages from
// schema-checker.ts: `compile` a request's schemas (the first refused is
// answered with why), or `check` a value against one schema (compiled again
// if the bounded cache forgot it).
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { compileSchema, SchemaRefused } from './json-schemas.ts';
import type { SchemaReply, SchemaRequest } from './schema-messages.ts';

const port = parentPort!;

// On Linux a thread has its own niceness (pid 0 is the calling thread): schema work yields the
// CPU to the event loop, so that a burst of compiles on a busy machine does not slow every answer.
// Not the lowest (19): there, on a machine whose cores are all taken, it would get almost no CPU and
// clients' schemas would be refused for time.
try {
  setPriority(10);
} catch {
  // Not permitted here: the worker runs at the process's priority.
}

function answer(request: SchemaRequest): SchemaReply {
  try {
    if (request.op === 'compile') {
      for (const [index, text] of request.schemas.entries()) {
        try {
          compileSchema(JSON.parse(text));
        } catch (error) {
          if (error instanceof SchemaRefused) return { id: request.id, refused: { index, message: error.message } };
          throw error;
        }
      }
      return { id: request.id, refused: null };
    }
    return { id: request.id, errors: compileSchema(JSON.parse(request.schema))(request.value) };
  } catch (error) {
    return { id: request.id, failed: (error as Error).message };
  }
}

port.on('message', (request: SchemaRequest) => port.postMessage(answer(request)));
