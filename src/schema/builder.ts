import SchemaBuilder from '@pothos/core';
import type { GatewayContext } from './context.ts';

export const builder = new SchemaBuilder<{
  Context: GatewayContext;
  DefaultFieldNullability: false;
  Scalars: {
    /** A u64 seed: a bigint inside the gateway, never a float. */
    Seed: { Input: bigint; Output: bigint | string };
  };
}>({
  defaultFieldNullability: false,
});
