// Field names across protocols. The gateway names fields in camelCase (GraphQL,
// the services); REST clients, TGI and OpenAI-compatible servers write
// snake_case. Where a protocol renames a field outright (TGI's `inputs` for
// the prompt, OpenAI's `max_tokens`), its own module says so; every other
// name is this one spelling rule.

/** `maxNewTokens` → `max_new_tokens`, in the type too, so a renamed key still checks against a wire type. */
export type SnakeCase<Name extends string> = Name extends `${infer First}${infer Rest}`
  ? `${First extends Lowercase<First> ? First : `_${Lowercase<First>}`}${SnakeCase<Rest>}`
  : Name;

/**
 * A camelCase name (lower-case words, each after the first starting with one
 * capital: `topP`, `modelId`) in snake_case.
 */
export function snakeCase<Name extends string>(name: Name): SnakeCase<Name> {
  // The replacement computes at run time what SnakeCase<Name> states; TypeScript cannot follow a regular expression.
  return name.replace(CAPITAL, (capital) => `_${capital.toLowerCase()}`) as SnakeCase<Name>;
}

const CAPITAL = /[A-Z]/g;
