// deploy/nginx/tgi-gateway.conf, parsed into directives and blocks, with nginx's
// inheritance of proxy_set_header taken into account.
import { describe, expect, it } from 'vitest';
import { envExample, read } from './support.ts';

interface Directive {
  name: string;
  args: string[];
  block?: Directive[];
}

/** nginx's syntax, enough for a config snippet: words, quoted strings, `;`, `{ }`, `#` comments. */
function parseNginx(text: string): Directive[] {
  const tokens = [...text.matchAll(/#[^\n]*|'([^']*)'|"([^"]*)"|([{};])|([^\s{};'"#]+)/g)]
    .filter((m) => !m[0].startsWith('#'))
    .map((m) => ({ text: m[1] ?? m[2] ?? m[3] ?? m[4]!, punct: m[3] !== undefined }));
  let at = 0;
  const parseBlock = (): Directive[] => {
    const directives: Directive[] = [];
    while (at < tokens.length) {
      if (tokens[at]!.punct && tokens[at]!.text === '}') {
        at++;
        return directives;
      }
      const words: string[] = [];
      while (at < tokens.length && !tokens[at]!.punct) words.push(tokens[at++]!.text);
      const end = tokens[at++];
      if (!end || words.length === 0) throw new Error(`unexpected ${end?.text ?? 'end of file'} after ${words.join(' ')}`);
      const [name, ...args] = words as [string, ...string[]];
      directives.push(end.text === '{' ? { name, args, block: parseBlock() } : { name, args });
    }
    return directives;
  };
  return parseBlock();
}

const top = parseNginx(read('deploy/nginx/tgi-gateway.conf'));
const named = (list: Directive[], name: string) => list.filter((d) => d.name === name);
const one = (list: Directive[], name: string) => {
  const found = named(list, name);
  if (found.length !== 1) throw new Error(`expected one ${name}, found ${found.length}`);
  return found[0]!;
};
const server = one(top, 'server').block!;
const locations = named(server, 'location');
const location = (...args: string[]) => locations.find((l) => l.args.join(' ') === args.join(' '))!.block!;

/** A directive's value in a location: its own, else the server's (nginx's inheritance of simple directives). */
const effective = (loc: Directive[], name: string) => (named(loc, name)[0] ?? named(server, name)[0])?.args;

/** proxy_set_header: a location with any of its own inherits none of the server's. */
function headersSent(loc: Directive[]): Record<string, string> {
  const own = named(loc, 'proxy_set_header');
  return Object.fromEntries((own.length > 0 ? own : named(server, 'proxy_set_header')).map((d) => [d.args[0]!.toLowerCase(), d.args[1] ?? '']));
}

const mapOf = (variable: string) => {
  const map = top.find((d) => d.name === 'map' && d.args[1] === variable);
  return map && Object.fromEntries(map.block!.map((d) => [d.name, d.args[0]]));
};

const NGINX_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };
const nginxSeconds = (value: string) => {
  const [, n, unit = 's'] = /^(\d+)(ms|s|m|h)?$/.exec(value)!;
  return Number(n) * NGINX_SECONDS[unit]!;
};
const nginxBytes = (value: string) => {
  const [, n, unit = ''] = /^(\d+)([kKmMgG]?)$/.exec(value)!;
  return Number(n) * ({ '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 } as Record<string, number>)[unit.toLowerCase()]!;
};

describe('deploy/nginx/tgi-gateway.conf', () => {
  it('maps $http_upgrade to $connection_upgrade: "upgrade" for handshakes, nothing otherwise (keepalive)', () => {
    expect(mapOf('$connection_upgrade')).toEqual({ default: 'upgrade', '': '' });
  });

  it('proxies every location to the upstream, which is the gateway on port 8000 with keepalive', () => {
    const upstream = one(top, 'upstream');
    expect(named(upstream.block!, 'server')[0]!.args[0]).toBe(`127.0.0.1:${envExample.PORT}`);
    expect(named(upstream.block!, 'keepalive')).toHaveLength(1);
    expect(locations.length).toBeGreaterThanOrEqual(2);
    for (const loc of locations) expect(effective(loc.block!, 'proxy_pass'), loc.args.join(' ')).toEqual([`http://${upstream.args[0]}`]);
  });

  it('passes WebSocket upgrades on /graphql over HTTP/1.1', () => {
    const graphql = location('/graphql');
    expect(effective(graphql, 'proxy_http_version')).toEqual(['1.1']);
    expect(headersSent(graphql)).toMatchObject({ upgrade: '$http_upgrade', connection: '$connection_upgrade' });
  });

  it('does not buffer or cache /graphql, so SSE tokens go out one by one', () => {
    const graphql = location('/graphql');
    expect(effective(graphql, 'proxy_buffering')).toEqual(['off']);
    expect(effective(graphql, 'proxy_cache')).toEqual(['off']);
  });

  it("lets the gateway's own timeouts end streams, not nginx's read timeout", () => {
    const longest = Math.max(Number(envExample.UPSTREAM_TIMEOUT_MS), Number(envExample.WS_IDLE_TIMEOUT_MS)) / 1000;
    expect(nginxSeconds(effective(location('/graphql'), 'proxy_read_timeout')![0]!)).toBeGreaterThan(longest);
    expect(nginxSeconds(effective(location('/'), 'proxy_read_timeout')![0]!)).toBeGreaterThan(Number(envExample.UPSTREAM_TIMEOUT_MS) / 1000);
  });

  it('sends every location the client address (overwritten, as TRUST_PROXY takes the first), Host and a request id', () => {
    for (const loc of locations) {
      const headers = headersSent(loc.block!);
      // $proxy_add_x_forwarded_for appends: the first entry would be whatever the client sent.
      expect(headers['x-forwarded-for'], loc.args.join(' ')).toBe('$remote_addr');
      // The gateway's own-origin check (CORS, WebSocket Origin) compares with Host.
      expect(headers.host).toBe('$host');
      const requestId = headers['x-request-id']!;
      expect(mapOf(requestId)).toEqual({ default: '$http_x_request_id', '': '$request_id' });
    }
  });

  it('accepts bodies up to MAX_REQUEST_BYTES, the gateway refusing larger ones itself', () => {
    expect(nginxBytes(one(server, 'client_max_body_size').args[0]!)).toBeGreaterThanOrEqual(Number(envExample.MAX_REQUEST_BYTES));
  });

  it('does not publish /metrics', () => {
    expect(location('=', '/metrics').map((d) => `${d.name} ${d.args.join(' ')}`)).toContain('deny all');
  });
});
