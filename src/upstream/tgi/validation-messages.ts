// TGI's validation messages name its wire parameters (`inputs`, `max_new_tokens`);
// the client wrote prompt and maxNewTokens. They reach the client in its own
// names and with the field at fault, so that a limit TGI caught (its tokenizer
// counts more tokens than the gateway's lower bound) reads like the same limit
// caught by the gateway's validation. REST writes the names back in snake_case.
import { UpstreamError } from '../errors.ts';
import { snakeCase } from '../../lib/names.ts';
import { TGI_FIELDS } from './request.ts';

/** TGI's wire name → the gateway's. */
const GATEWAY_NAMES: ReadonlyMap<string, string> = new Map([
  ['inputs', 'prompt'],
  ...TGI_FIELDS.map((field): [string, string] => [snakeCase(field), field]),
]);

const PREFIX = 'Input validation error: ';
/** A parameter as TGI quotes it. */
const QUOTED = /`([a-z_]+)`/g;
/** TGI's context check: the prompt is at fault when it alone fills the context. */
const TOTAL = /^`inputs` tokens \+ `max_new_tokens` must be <= (\d+)\. Given: (\d+) `inputs` tokens/;

/** A TGI failure as the gateway passes it on: a validation error in the client's names, with its field. */
export function inGatewayNames(error: unknown): unknown {
  if (!(error instanceof UpstreamError)) return error;
  const f = error.failure;
  if ((f.kind !== 'http' && f.kind !== 'in-band') || f.errorType !== 'validation') return error;
  const text = f.message.startsWith(PREFIX) ? f.message.slice(PREFIX.length) : f.message;
  const total = TOTAL.exec(text);
  const field = total ? (Number(total[2]) >= Number(total[1]) ? 'prompt' : 'maxNewTokens') : firstGatewayName(text);
  // Parameters the gateway never sends (best_of, top_n_tokens) keep TGI's name.
  const message = text.replaceAll(QUOTED, (quoted, wire: string) => GATEWAY_NAMES.get(wire) ?? quoted);
  return new UpstreamError(field === undefined ? { ...f, message } : { ...f, message, field });
}

function firstGatewayName(text: string): string | undefined {
  for (const match of text.matchAll(QUOTED)) {
    const name = GATEWAY_NAMES.get(match[1] ?? '');
    if (name) return name;
  }
  return undefined;
}
