// The request a piece of work belongs to, carried through every await without
// being passed by hand, so that any log line written while serving it names it
// (yoga's own logging included, which knows nothing of our context).
import { AsyncLocalStorage } from 'node:async_hooks';

export const requestScope = new AsyncLocalStorage<string>();

/** The id of the request being served here, if any. */
export const currentRequestId = (): string | undefined => requestScope.getStore();
