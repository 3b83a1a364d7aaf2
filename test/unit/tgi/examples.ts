// The TGI wire examples of /work/shared/tgi/examples, read as they are on disk.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const EXAMPLES = new URL('../../../../shared/tgi/examples/', import.meta.url);

if (!existsSync(EXAMPLES)) throw new Error(`TGI examples not found at ${fileURLToPath(EXAMPLES)}`);

/** The text of one example file, e.g. `generate-stream.sse.txt`. */
export function example(name: string): string {
  return readFileSync(new URL(name, EXAMPLES), 'utf8');
}
