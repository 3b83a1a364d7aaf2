// The ConfigError a configuration step throws, for assertions on its message.
import { ConfigError } from '../../../src/config/index.ts';

export function configErrorOf(load: () => unknown): ConfigError {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}
