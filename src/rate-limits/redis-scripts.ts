// The Lua the Redis store runs, so that check-and-count is one atomic step
// shared by every gateway process.
//
// Window: one hash per subject and limit, field = Unix second, value = count;
// the script sums the fields of the last WINDOW_SECONDS and deletes older
// ones. Chosen over a sorted set of requests (memory grows with the limit,
// and tokens cannot be members) and over the two-window approximation (it
// assumes an even rate and gives a vague retry-after): at most 60 small
// fields per key, exact to a second, the same arithmetic as the memory
// store. Time is Redis's own (TIME), so processes with skewed clocks agree.
//
// Concurrency: a sorted set per subject, member `<processId>:<n>`, score = the
// lease's expiry in ms. Its holder renews it; expired members are removed
// before counting, so a process that dies leaks its slots for one lease TTL.
// Every key gets a TTL on write, so idle subjects leave Redis by themselves.
import type { Result } from 'ioredis';
import { WINDOW_SECONDS } from './types.ts';
import type { LimitName, Refusal } from './types.ts';

const CLOCK = `
local time = redis.call('TIME')
local second = tonumber(time[1])
local nowMs = second * 1000 + math.floor(tonumber(time[2]) / 1000)
`;

/** KEYS: requests hash, tokens hash, streams zset. ARGV: rpm, tpm, concurrent (0 = off), member, lease ms, tokens the caller holds unflushed. */
const ADMIT = `${CLOCK}
local W = ${WINDOW_SECONDS}
local function wait(key, limit, unflushed)
  local flat = redis.call('HGETALL', key)
  local buckets, stale, total = {}, {}, unflushed
  for i = 1, #flat, 2 do
    local s, n = tonumber(flat[i]), tonumber(flat[i + 1])
    if s <= second - W then stale[#stale + 1] = flat[i]
    else total = total + n; buckets[#buckets + 1] = { s, n } end
  end
  if #stale > 0 then redis.call('HDEL', key, unpack(stale)) end
  if total < limit then return 0 end
  if unflushed > 0 then buckets[#buckets + 1] = { second, unflushed } end
  table.sort(buckets, function(a, b) return a[1] < b[1] end)
  local excess = total - limit + 1
  for _, b in ipairs(buckets) do
    excess = excess - b[2]
    if excess <= 0 then return math.max(1, math.ceil(((b[1] + W) * 1000 - nowMs) / 1000)) end
  end
  return W
end
local rpm, tpm, concurrent, ttl = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[5])
local waits = { 0, 0, 0 }
if rpm > 0 then waits[1] = wait(KEYS[1], rpm, 0) end
if tpm > 0 then waits[2] = wait(KEYS[2], tpm, tonumber(ARGV[6])) end
if concurrent > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', nowMs)
  if redis.call('ZCARD', KEYS[3]) >= concurrent then waits[3] = 1 end
end
local refused = 0
for i = 1, 3 do
  if waits[i] > 0 and (refused == 0 or waits[i] > waits[refused]) then refused = i end
end
if refused > 0 then return { refused, waits[refused] } end
if rpm > 0 then
  redis.call('HINCRBY', KEYS[1], second, 1)
  redis.call('EXPIRE', KEYS[1], W + 1)
end
if concurrent > 0 then
  redis.call('ZADD', KEYS[3], nowMs + ttl, ARGV[4])
  redis.call('PEXPIRE', KEYS[3], ttl + 1000)
end
return { 0 }
`;

/** KEYS: tokens hash. ARGV: tokens. A long stream with no admit to prune its hash prunes it here. */
const ADD_TOKENS = `${CLOCK}
if redis.call('HLEN', KEYS[1]) >= ${WINDOW_SECONDS} then
  local flat, stale = redis.call('HKEYS', KEYS[1]), {}
  for _, s in ipairs(flat) do if tonumber(s) <= second - ${WINDOW_SECONDS} then stale[#stale + 1] = s end end
  if #stale > 0 then redis.call('HDEL', KEYS[1], unpack(stale)) end
end
redis.call('HINCRBY', KEYS[1], second, tonumber(ARGV[1]))
redis.call('EXPIRE', KEYS[1], ${WINDOW_SECONDS + 1})
return 0
`;

/** KEYS: streams zset. ARGV: lease ms, members… Plain ZADD: leases lost with a restarted Redis come back. */
const RENEW = `${CLOCK}
local ttl = tonumber(ARGV[1])
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], nowMs + ttl, ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], ttl + 1000)
return 0
`;

/** For ioredis's `scripts` option: it sends EVALSHA and falls back to EVAL on a fresh connection. */
export const LIMIT_SCRIPTS = {
  limitsAdmit: { lua: ADMIT, numberOfKeys: 3 },
  limitsAddTokens: { lua: ADD_TOKENS, numberOfKeys: 1 },
  limitsRenew: { lua: RENEW, numberOfKeys: 1 },
} as const;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    limitsAdmit(requests: string, tokens: string, streams: string, ...args: (string | number)[]): Result<unknown, Context>;
    limitsAddTokens(tokens: string, n: number): Result<unknown, Context>;
    limitsRenew(streams: string, leaseMs: number, ...members: string[]): Result<unknown, Context>;
  }
}

const REFUSED_BY: readonly LimitName[] = ['rpm', 'tpm', 'concurrent'];

/** The admit script's reply, parsed: undefined = admitted. Throws on a reply it did not write. */
export function parseAdmitReply(reply: unknown): Refusal | undefined {
  if (!Array.isArray(reply)) throw new Error('unexpected reply from the admit script');
  const [which, wait] = reply as unknown[];
  if (which === 0) return undefined;
  const limit = typeof which === 'number' ? REFUSED_BY[which - 1] : undefined;
  if (!limit || typeof wait !== 'number' || !(wait >= 1)) throw new Error('unexpected reply from the admit script');
  return { ok: false, limit, retryAfterSeconds: wait };
}
