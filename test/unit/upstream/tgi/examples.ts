// TGI's wire examples, byte for byte as the real server speaks them (line endings
// included), kept as fixtures so the parsers are tested against TGI and not against
// our own idea of it.
import { readFileSync } from 'node:fs';

const EXAMPLES = new URL('../../../fixtures/tgi/', import.meta.url);

/** The text of one example file, e.g. `generate-stream.sse.txt`. */
export function example(name: string): string {
  return readFileSync(new URL(name, EXAMPLES), 'utf8');
}
