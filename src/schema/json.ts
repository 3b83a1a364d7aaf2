// The JSON scalar: any JSON value, in (a tool's parameters schema, a
// response schema) and out (parsed arguments and answers, partial values).
import { valueFromASTUntyped } from 'graphql';
import { builder } from './builder.ts';

export const JsonRef = builder.scalarType('JSON', {
  description: 'Any JSON value.',
  // Variables arrive parsed from JSON already; a literal is read as the value it spells.
  parseValue: (value) => value as NonNullable<unknown>,
  parseLiteral: (node, variables) => valueFromASTUntyped(node, variables) as NonNullable<unknown>,
  // A partial value grows in place as its stream goes on (generation/partial-json.ts): each
  // event's payload gets a copy of it as it is now, whenever the transport writes it.
  serialize: (value) => (value !== null && typeof value === 'object' ? structuredClone(value) : value),
});
