// The Seed scalar: unsigned 64-bit seeds, taken as an Int or a decimal String
// (an Int literal keeps its exact digits in the document, a JSON variable only
// up to 2^53) and given back as a decimal String.
import { GraphQLError, Kind, print, type ValueNode } from 'graphql';
import { mayHaveLostDigits, SEED_RULE, seedFromDigits, seedFromJson } from '../generation/seed.ts';
import { builder } from './builder.ts';

// Thrown as a GraphQLError with the gateway's extensions: graphql-js keeps them
// on the variable or literal error it builds around this one.
const refused = (why: string, node?: ValueNode) =>
  new GraphQLError(`seed ${why}`, { nodes: node, extensions: { code: 'BAD_USER_INPUT', field: 'seed' } });

function parseVariable(value: unknown): bigint {
  const seed = seedFromJson(value);
  if (seed !== undefined) return seed;
  if (typeof value === 'number' && mayHaveLostDigits(value)) {
    throw refused(`${SEED_RULE}; above ${Number.MAX_SAFE_INTEGER} send it as a decimal String, a JSON number that large has lost digits`);
  }
  throw refused(`${SEED_RULE}, given as an Int or a String of decimal digits`);
}

function parseLiteral(node: ValueNode): bigint {
  const seed = node.kind === Kind.INT || node.kind === Kind.STRING ? seedFromDigits(node.value) : undefined;
  if (seed === undefined) throw refused(`${SEED_RULE}, given as an Int or a String of decimal digits; found ${print(node)}`, node);
  return seed;
}

export const SeedRef = builder.scalarType('Seed', {
  description: 'An unsigned 64-bit seed. Input: an Int literal or a decimal String (0 to 18446744073709551615). Output: a decimal String.',
  parseValue: parseVariable,
  parseLiteral,
  serialize: (seed) => seed.toString(),
});
