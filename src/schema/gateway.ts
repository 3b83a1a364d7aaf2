import { builder } from './builder.ts';
import type { GatewayAbout } from './context.ts';

const GatewayInfo = builder.objectRef<GatewayAbout>('GatewayInfo').implement({
  description: 'The gateway process answering this request.',
  fields: (t) => ({
    name: t.exposeString('name'),
    version: t.exposeString('version'),
    uptimeSeconds: t.float({ resolve: (about) => (Date.now() - about.startedAt) / 1000 }),
  }),
});

builder.queryType({
  fields: (t) => ({
    info: t.field({ type: GatewayInfo, resolve: (_root, _args, ctx) => ctx.services.about }),
  }),
});
