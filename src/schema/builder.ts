import SchemaBuilder from '@pothos/core';
import type { GatewayContext } from './context.ts';

export const builder = new SchemaBuilder<{
  Context: GatewayContext;
  DefaultFieldNullability: false;
  Scalars: {
    /** A u64 seed: a bigint inside the gateway, never a float. */
    Seed: { Input: bigint; Output: bigint | string };
    /** Any JSON value: a client's schema in, a parsed or partial answer out. */
    JSON: { Input: NonNullable<unknown>; Output: unknown };
  };
}>({
  defaultFieldNullability: false,
});
