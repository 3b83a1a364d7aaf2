// The little randomness the load needs. Math.random is enough: the bench wants
// variety, not reproducibility (the simulator is deterministic per prompt anyway).

/** An integer in [min, max], both included. */
export function randomInt(min: number, max: number): number {
  return min + Math.floor(Math.random() * (max - min + 1));
}

export function pick<T>(items: readonly T[]): T {
  const item = items[Math.floor(Math.random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}
