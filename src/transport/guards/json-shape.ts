// The shape of a JSON text, read before it is parsed into objects: how deep
// its arrays and objects nest and how many keys its objects hold. JSON.parse
// itself copes with both, but what comes after does not: graphql-js coerces
// variables recursively and, for each of up to 50 errors, writes the whole
// offending object into the message, so 1 MB of keys or of `[[[[` costs
// seconds of one event loop. One pass over the characters, no allocation;
// the text needs not be valid JSON (JSON.parse decides that later).
import type { JsonLimits } from '../../config/index.ts';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/** Why a JSON text is refused (a short message, naming the limit but none of the text), or undefined when it fits. */
export function jsonShapeProblem(text: string, limits: JsonLimits): string | undefined {
  let depth = 0;
  let keys = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > limits.maxDepth) return `the JSON nests deeper than ${limits.maxDepth} levels`;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    } else if (c === COLON) {
      // Outside strings a colon only ever follows an object's key.
      if (++keys > limits.maxKeys) return `the JSON holds more than ${limits.maxKeys} object keys`;
    }
  }
  return undefined;
}
