// The generation fields are marked where the schema defines them, and only on
// root types: the operation limits read the root selection alone.
import { isObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../../src/schema/index.ts';
import { isGenerationField } from '../../../src/schema/starts-generation.ts';

const marked = () => Object.values(schema.getTypeMap())
  .filter(isObjectType)
  .flatMap((type) => Object.values(type.getFields()).filter((field) => isGenerationField(field)).map((field) => `${type.name}.${field.name}`));

describe('fields that start a generation', () => {
  it('are generate, generateStream, chat and chatStream', () => {
    expect(marked().sort()).toEqual(['Mutation.chat', 'Mutation.generate', 'Subscription.chatStream', 'Subscription.generateStream']);
  });

  it('sit on root types only', () => {
    const roots = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].map((type) => type?.name);
    for (const field of marked()) expect(roots, field).toContain(field.split('.')[0]);
  });
});
