// schema.graphql is what Pothos builds (regenerate with `npm run schema:print`) and
// contains the public contract kept in test/fixtures/contract.graphql.
import { readFileSync } from 'node:fs';
import { buildSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { printedSchema } from '../src/schema/index.ts';
import { contractMismatches } from './contract.ts';

const read = (path: string): string => readFileSync(new URL(path, import.meta.url), 'utf8');

describe('schema.graphql', () => {
  it('is the schema the code builds', () => {
    expect(read('../schema.graphql')).toBe(printedSchema());
  });

  it('contains every type, field, argument, enum value, input default and scalar of the public contract', () => {
    // The fixture defines its types and extends them in one document, which buildSchema accepts.
    const contract = buildSchema(read('fixtures/contract.graphql'));
    expect(contractMismatches(contract, buildSchema(printedSchema()))).toEqual([]);
  });
});

// The check above is only as good as this comparison, so it is specified here too.
describe('contractMismatches', () => {
  const contract = buildSchema(`
    type Query { model(id: ID!, limit: Int = 10): Model }
    type Model { id: ID!, tags: [String!] }
    input Options { size: Float = 1.0, seed: Seed }
    enum Color { RED GREEN }
    scalar Seed
  `);

  it('accepts a schema that has more than the contract', () => {
    const schema = buildSchema(`
      type Query { model(id: ID!, limit: Int = 10, extra: Boolean): Model, other: Int }
      type Model { id: ID!, tags: [String!], name: String }
      input Options { size: Float = 1, seed: Seed, more: Int = 3 }
      enum Color { RED GREEN BLUE }
      scalar Seed
      scalar Extra
    `);
    expect(contractMismatches(contract, schema)).toEqual([]);
  });

  it('reports each missing or differing item on its own line', () => {
    const schema = buildSchema(`
      type Query { model(id: ID, limit: Int = 5): Model }
      type Model { tags: [String] }
      input Options { size: Float = 2, seed: Int }
      enum Color { RED }
    `);
    expect(contractMismatches(contract, schema)).toEqual([
      'Query.model(id): expected ID!, found ID',
      'Query.model(limit): expected default 10, found 5',
      'Model.id: missing (expected ID!)',
      'Model.tags: expected [String!], found [String]',
      'Options.size: expected default 1, found 2',
      'Options.seed: expected Seed, found Int',
      'enum Color: value GREEN missing',
      'scalar Seed: missing',
    ]);
  });
});
