// GraphQL's input types and the one input schema (src/generation/input.ts)
// agree field by field. The build already checks names and TypeScript types;
// this checks what TypeScript cannot tell apart: Int from Float, and defaults.
import {
  GraphQLEnumType,
  GraphQLInputObjectType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  type GraphQLInputType,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { ChatInputSchema, ChatMessageInputSchema, GenerateInputSchema } from '../../../src/generation/input.ts';
import { schema } from '../../../src/schema/index.ts';

/** A value GraphQL accepts for the type, as graphql-js hands it to a resolver. */
function sample(type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return sample(type.ofType);
  if (isListType(type)) return [sample(type.ofType)];
  if (isEnumType(type)) return type.getValues()[0]!.value;
  if (isInputObjectType(type)) {
    return Object.fromEntries(Object.values(type.getFields()).filter((f) => isNonNullType(f.type)).map((f) => [f.name, sample(f.type)]));
  }
  const samples: Record<string, unknown> = { ID: 'x', String: 'x', Int: 1, Float: 0.5, Boolean: true, Seed: 1n };
  return samples[type.name];
}

const named = (type: GraphQLInputType): string => (isNonNullType(type) || isListType(type) ? named(type.ofType) : type.name);

describe.each([
  ['GenerateInput', GenerateInputSchema],
  ['ChatInput', ChatInputSchema],
  ['ChatMessageInput', ChatMessageInputSchema],
] as const)('%s', (name, shape: z.ZodObject) => {
  const type = schema.getType(name) as GraphQLInputObjectType;
  const fields = Object.values(type.getFields());

  it('has the fields of the input schema', () => {
    expect(fields.map((f) => f.name).sort()).toEqual(Object.keys(shape.shape).sort());
  });

  it.each(fields.map((f) => [f.name, f] as const))('%s takes what GraphQL takes, and is required or nullable as there', (_name, field) => {
    const rule = shape.shape[field.name]!;
    expect(rule.safeParse(sample(field.type)).success).toBe(true);
    if (named(field.type) === 'Int') expect(rule.safeParse(1.5).success).toBe(false);
    if (named(field.type) === 'Float') expect(rule.safeParse(1.5).success).toBe(true);
    expect(rule.safeParse(null).success).toBe(!isNonNullType(field.type));
    expect(rule.safeParse(undefined).success).toBe(!isNonNullType(field.type));
  });

  it.each(fields.map((f) => [f.name, f] as const))('%s has the default GraphQL has', (_name, field) => {
    if (isNonNullType(field.type)) return;
    expect(shape.shape[field.name]!.parse(undefined)).toEqual(field.defaultValue);
  });
});

it('ChatRole has the roles of the input schema', () => {
  const roles = (schema.getType('ChatRole') as GraphQLEnumType).getValues().map((v) => v.value);
  expect(roles.sort()).toEqual([...ChatMessageInputSchema.shape.role.options].sort());
});
