// Work bounded in time whose timer is always cleared, whichever way it ends
// (AbortSignal.timeout would leave its timer armed until it fires). The one
// way the gateway bounds background work: health probes, limits, the served
// model's name.

/** `work` gets a signal that fires after `ms`, or when `within` fires (an owner closing), whichever comes first. */
export async function withDeadline<T>(ms: number, work: (signal: AbortSignal) => Promise<T>, within?: AbortSignal): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException(`timed out after ${ms} ms`, 'TimeoutError')), ms);
  const onAbort = () => controller.abort(within?.reason);
  if (within?.aborted) onAbort();
  else within?.addEventListener('abort', onAbort, { once: true });
  try {
    return await work(controller.signal);
  } finally {
    clearTimeout(timer);
    within?.removeEventListener('abort', onAbort);
  }
}
