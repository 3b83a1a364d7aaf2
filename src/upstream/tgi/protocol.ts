// TGI as a protocol: its router's rules, and its client.
import type { UpstreamProtocol } from '../protocol.ts';
import { TgiClient } from './client.ts';

export const TGI: UpstreamProtocol = {
  name: 'tgi',
  dialect: {
    serverKind: 'TGI',
    // TGI's router refuses temperature 0 and top_p 1 on its native routes.
    temperatureZero: false,
    topPOne: false,
    refuses: [],
    // TGI's Messages API applies one grammar: tools or a JSON format, not both.
    toolsWithJsonFormat: false,
    // TGI's default --max-stop-sequences, until a replica's /info says its own.
    defaultMaxStopSequences: 4,
  },
  connect: (baseUrl, options) => new TgiClient(baseUrl, options),
};
