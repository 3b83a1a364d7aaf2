// What the gateway's own pages (GraphiQL, the playground) need of HTTP:
// revalidation by ETag and a choice of compression.

/** Whether If-None-Match names this ETag (or any). */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  return ifNoneMatch.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t === etag || t === `W/${etag}`;
  });
}

/** brotli, else gzip, else none; a q=0 refuses an encoding. */
export function pickEncoding(header: string | string[] | undefined): 'br' | 'gzip' | 'identity' {
  if (typeof header !== 'string') return 'identity';
  const accepted = new Set<string>();
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (q === undefined || Number(q.slice(2)) > 0) accepted.add(name!.trim());
  }
  if (accepted.has('br')) return 'br';
  if (accepted.has('gzip')) return 'gzip';
  return 'identity';
}
