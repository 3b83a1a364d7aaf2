// Who is calling: a client holding one of the operator's API keys, or (when
// no keys are configured) an anonymous client known by its address. Rate
// limits count per caller; model permissions come with the key.

export type Caller =
  | { readonly kind: 'key'; readonly id: string; readonly models: ReadonlySet<string> | null }
  | { readonly kind: 'anonymous'; readonly id: string };

/** Whether the caller may generate on this model. */
export function mayUse(caller: Caller, modelId: string): boolean {
  return caller.kind === 'anonymous' || caller.models === null || caller.models.has(modelId);
}

export const anonymous = (address: string | undefined): Caller => ({ kind: 'anonymous', id: `ip:${subjectOf(address)}` });

/**
 * What limits count an address as: an IPv4 address (mapped ones included) by
 * itself; an IPv6 address by its /64, since one host holds a whole /64 and
 * could otherwise draw a fresh limit from each of its addresses.
 */
export function subjectOf(address: string | undefined): string {
  if (address === undefined || address === '') return 'unknown';
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (!v4.includes(':')) return v4;
  if (address.includes('.')) return address.toLowerCase(); // an IPv4 tail in another form: rare, kept whole
  const [head = '', tail] = address.toLowerCase().split('::', 2);
  const front = head === '' ? [] : head.split(':');
  const back = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = [...front, ...Array<string>(Math.max(0, 8 - front.length - back.length)).fill('0'), ...back];
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
