// A REST generate body as the generation service's input: the one input
// schema (src/generation/input.ts) read under the original backend's
// snake_case names, and those names put back into the service's messages.
import type { GatewayError } from '../../errors.ts';
import { GenerateInputSchema } from '../../generation/input.ts';
import { jsonInputReader } from '../../generation/json-input.ts';
import { snakeCase } from '../../lib/names.ts';

/** The body under GraphQL's field names in snake_case (top_p), through the one input schema. */
export const readGenerateInput = jsonInputReader(GenerateInputSchema, snakeCase);

/** GraphQL's names of the fields that REST clients write otherwise. */
const REST_NAMES: ReadonlyMap<string, string> = new Map(
  Object.keys(GenerateInputSchema.shape).map((field) => [field, snakeCase(field)] as const).filter(([field, wire]) => wire !== field),
);
const CLIENT_NAME = new RegExp(`\\b(?:${[...REST_NAMES.keys()].join('|')})\\b`, 'g');

/** The service names fields as GraphQL does (topP); REST clients sent them in snake_case (top_p). */
export function restMessage(failure: GatewayError): string {
  // Input errors are worded with field names (several, for token limits); other messages may quote model ids.
  if (failure.code !== 'BAD_USER_INPUT') return failure.message;
  return failure.message.replace(CLIENT_NAME, (name) => REST_NAMES.get(name) ?? name);
}
