// An operation's variables, checked before graphql-js coerces them, on every
// transport (an envelop hook: graphql-ws's parsed messages too). Two things
// graphql-js makes dear: a value nested or keyed past the JSON limits (it
// coerces recursively), and an input object with keys its type does not
// have: for each, up to 50, it writes the whole object into the error's
// message, so 10,000 unknown keys cost seconds. Refused at the first
// unknown key, with a message that names it and echoes nothing else.
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import {
  getNamedType, getNullableType, getOperationAST, isInputObjectType, isListType, typeFromAST,
  type DocumentNode, type GraphQLInputType, type GraphQLSchema,
} from 'graphql';
import type { JsonLimits } from '../../config/index.ts';

type Refusal = string | undefined;

/** Depth and keys of an already parsed value (a graphql-ws message's variables), stopping at the first limit passed. */
function shapeProblem(value: unknown, limits: JsonLimits): Refusal {
  let keys = 0;
  const walk = (v: unknown, depth: number): Refusal => {
    if (typeof v !== 'object' || v === null) return undefined;
    if (depth > limits.maxDepth) return `the variables nest deeper than ${limits.maxDepth} levels`;
    const children = Array.isArray(v) ? v : Object.values(v);
    if (!Array.isArray(v) && (keys += children.length) > limits.maxKeys) return `the variables hold more than ${limits.maxKeys} object keys`;
    for (const child of children) {
      const problem = walk(child, depth + 1);
      if (problem !== undefined) return problem;
    }
    return undefined;
  };
  return walk(value, 1);
}

/** The path of the first key of `value` that its input type does not define, if any. */
function firstUnknownField(value: unknown, type: GraphQLInputType, path: string): { path: string; field: string; type: string } | undefined {
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    const items: unknown[] = Array.isArray(value) ? value : [value];
    for (let i = 0; i < items.length; i++) {
      const found = firstUnknownField(items[i], nullable.ofType as GraphQLInputType, `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (!isInputObjectType(nullable) || typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const fields = nullable.getFields();
  for (const [key, child] of Object.entries(value)) {
    const field = Object.hasOwn(fields, key) ? fields[key] : undefined;
    if (!field) return { path, field: key, type: getNamedType(nullable).name };
    const found = firstUnknownField(child, field.type, `${path}.${key}`);
    if (found) return found;
  }
  return undefined;
}

/** Why the operation's variables are refused before coercion, or undefined. */
export function variablesProblem(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined, variables: unknown, limits: JsonLimits): Refusal {
  if (typeof variables !== 'object' || variables === null) return undefined;
  const shape = shapeProblem(variables, limits);
  if (shape !== undefined) return shape;
  const operation = getOperationAST(document, operationName);
  for (const definition of operation?.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    const type = typeFromAST(schema, definition.type) as GraphQLInputType | undefined;
    if (!type || !Object.hasOwn(variables, name)) continue;
    const found = firstUnknownField((variables as Record<string, unknown>)[name], type, name);
    // graphql-js's own wording, without the value it would echo.
    const quoted = found && (found.field.length > 64 ? `${found.field.slice(0, 64)}…` : found.field);
    if (found) return `Variable "$${name}" got invalid value at "${found.path}"; Field "${quoted}" is not defined by type "${found.type}".`;
  }
  return undefined;
}

export function useVariableShape(limits: JsonLimits): Plugin {
  const refusal = (message: string) => ({ errors: [createGraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } })] });
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const problem = variablesProblem(args.schema, args.document, args.operationName, args.variableValues, limits);
      if (problem !== undefined) setResultAndStopExecution(refusal(problem));
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const problem = variablesProblem(args.schema, args.document, args.operationName, args.variableValues, limits);
      if (problem !== undefined) setResultAndStopExecution(refusal(problem));
    },
  };
}
