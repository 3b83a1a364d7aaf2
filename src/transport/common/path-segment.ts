// A model id written in a route's path (/v1/models/{id}, /health/{id}).

/** The segment decoded; a malformed escape cannot name a model, so it stays as written (and is simply not found). */
export function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
