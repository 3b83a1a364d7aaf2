// TGI's validation messages name its wire parameters (`inputs`, `max_new_tokens`);
// the client wrote prompt and maxNewTokens. They reach the client in its own
// names and with the field at fault, so that a limit TGI caught (its tokenizer
// counts more tokens than validate.ts's lower bound) reads like the same limit
// caught by the gateway. REST writes the names back in snake_case.
import { badInput, GatewayError } from '../errors.ts';
import type { GenerateInput } from './input.ts';

const CLIENT_NAMES: ReadonlyMap<string, keyof GenerateInput> = new Map([
  ['inputs', 'prompt'],
  ['max_new_tokens', 'maxNewTokens'],
  ['temperature', 'temperature'],
  ['top_p', 'topP'],
  ['top_k', 'topK'],
  ['repetition_penalty', 'repetitionPenalty'],
  ['frequency_penalty', 'frequencyPenalty'],
  ['typical_p', 'typicalP'],
  ['truncate', 'truncate'],
  ['stop', 'stop'],
  ['seed', 'seed'],
  ['do_sample', 'doSample'],
  ['return_full_text', 'returnFullText'],
  ['watermark', 'watermark'],
]);

const PREFIX = 'Input validation error: ';
/** A parameter as TGI quotes it. */
const QUOTED = /`([a-z_]+)`/g;
/** TGI's context check: the prompt is at fault when it alone fills the context. */
const TOTAL = /^`inputs` tokens \+ `max_new_tokens` must be <= (\d+)\. Given: (\d+) `inputs` tokens/;

export function fromTgiValidation(message: string): GatewayError {
  const text = message.startsWith(PREFIX) ? message.slice(PREFIX.length) : message;
  const total = TOTAL.exec(text);
  const field = total ? (Number(total[2]) >= Number(total[1]) ? 'prompt' : 'maxNewTokens') : firstClientName(text);
  // Parameters the gateway never sends (best_of, top_n_tokens) keep TGI's name.
  const inClientNames = text.replaceAll(QUOTED, (quoted, wire: string) => CLIENT_NAMES.get(wire) ?? quoted);
  return field === undefined ? new GatewayError('BAD_USER_INPUT', inClientNames) : badInput(field, inClientNames);
}

function firstClientName(text: string): string | undefined {
  for (const match of text.matchAll(QUOTED)) {
    const name = CLIENT_NAMES.get(match[1] ?? '');
    if (name) return name;
  }
  return undefined;
}
