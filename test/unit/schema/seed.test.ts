// The Seed scalar of the built schema, as graphql-js calls it for variables and literals.
import { GraphQLError, GraphQLScalarType, parseValue } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../../src/schema/index.ts';

const Seed = schema.getType('Seed') as GraphQLScalarType;

/** The error the scalar throws, which graphql-js keeps as the variable's or literal's error. */
function refusal(parse: () => unknown): GraphQLError {
  try {
    parse();
  } catch (error) {
    if (error instanceof GraphQLError) return error;
    throw error;
  }
  throw new Error('accepted');
}

describe('the Seed scalar', () => {
  it('is described as the contract says', () => {
    expect(Seed.description).toBe(
      'An unsigned 64-bit seed. Input: an Int literal or a decimal String (0 to 18446744073709551615). Output: a decimal String.',
    );
  });

  it('takes a variable as an Int or a decimal String, into an exact bigint', () => {
    expect(Seed.parseValue(42)).toBe(42n);
    expect(Seed.parseValue('14875267490767656219')).toBe(14875267490767656219n);
    expect(Seed.parseValue('18446744073709551615')).toBe(18446744073709551615n);
  });

  it('takes Int and String literals with their exact digits', () => {
    expect(Seed.parseLiteral(parseValue('14875267490767656219'))).toBe(14875267490767656219n);
    expect(Seed.parseLiteral(parseValue('"14875267490767656219"'))).toBe(14875267490767656219n);
    expect(Seed.parseLiteral(parseValue('0'))).toBe(0n);
  });

  it('gives a seed back as a decimal String', () => {
    expect(Seed.serialize(14875267490767656219n)).toBe('14875267490767656219');
  });

  it.each([
    ['a String over 2^64 - 1', '18446744073709551616'],
    ['a signed String', '-1'],
    ['a String with spaces', ' 1 '],
    ['a negative Int', -1],
    ['a Float', 1.5],
    ['a Boolean', true],
    ['a list', ['1']],
  ])('refuses %s as a variable, as BAD_USER_INPUT naming seed', (_what, value) => {
    const error = refusal(() => Seed.parseValue(value));
    expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'seed' });
    expect(error.message).toMatch(/^seed must be an integer from 0 to 18446744073709551615/);
  });

  it('tells a client whose Int variable was rounded by JSON to send a String', () => {
    expect(refusal(() => Seed.parseValue(14875267490767656219)).message).toContain('send it as a decimal String');
  });

  it.each(['18446744073709551616', '-1', '1.5', '"1e3"', '"007"', 'true', 'RANDOM', '[1]', '{ seed: 1 }'])(
    'refuses the literal %s, as BAD_USER_INPUT naming seed',
    (literal) => {
      const error = refusal(() => Seed.parseLiteral(parseValue(literal)));
      expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'seed' });
      expect(error.nodes).toHaveLength(1);
    },
  );
});
