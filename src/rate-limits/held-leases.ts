// The leases this process holds in Redis, by the subject's streams key: what
// the renewal keeps alive, and all it keeps alive (a released lease is gone).

export class HeldLeases {
  readonly #byKey = new Map<string, Set<string>>();

  get size(): number {
    return this.#byKey.size;
  }

  add(streams: string, member: string): void {
    let members = this.#byKey.get(streams);
    if (!members) this.#byKey.set(streams, (members = new Set()));
    members.add(member);
  }

  delete(streams: string, member: string): void {
    const members = this.#byKey.get(streams);
    members?.delete(member);
    if (members?.size === 0) this.#byKey.delete(streams);
  }

  entries(): IterableIterator<[string, ReadonlySet<string>]> {
    return this.#byKey.entries();
  }
}
