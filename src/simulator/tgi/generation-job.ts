// What each TGI generation route hands the generation entry: the request in /generate's
// terms (so every route validates and draws tokens alike) and how to write the answer.

import type { GenerationRequest } from './generate-request.ts';
import type { RenderBody } from './generate-route.ts';
import type { StreamWire } from './stream-route.ts';

export interface GenerationJob {
  request: GenerationRequest;
  streaming: boolean;
  stream: StreamWire;
  render: RenderBody;
}
