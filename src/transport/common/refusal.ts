/** Told of each request or operation refused before it ran, to count and log it. */
export type RefusalListener = (transport: 'http' | 'ws' | 'rest' | 'openai', code: string, requestId: string | undefined) => void;
