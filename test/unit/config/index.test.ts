import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/index.ts';
import { configErrorOf } from './helpers.ts';

describe('loadConfig', () => {
  describe('defaults', () => {
    const config = loadConfig({});

    it('listens on 0.0.0.0:8000 and allows the local frontend origin', () => {
      expect(config.host).toBe('0.0.0.0');
      expect(config.port).toBe(8000);
      expect(config.allowedOrigins).toEqual(['http://localhost:3000']);
    });

    it('caches health for 30 s and exposes endpoints, logging at info', () => {
      expect(config.healthCacheTtlMs).toBe(30_000);
      expect(config.exposeEndpoints).toBe(true);
      expect(config.logLevel).toBe('info');
      expect(config.production).toBe(false);
    });

    it('bounds upstream calls: 5 s connect, 60 s to the first token, 30 s idle, 120 s in total', () => {
      expect(config.upstream).toEqual({ connectMs: 5_000, firstTokenMs: 60_000, idleMs: 30_000, totalMs: 120_000 });
    });

    it("reads each replica's /metrics every second, for its queue and cache use", () => {
      expect(config.upstreamMetricsIntervalMs).toBe(1_000);
      expect(loadConfig({ UPSTREAM_METRICS_INTERVAL_MS: '0' }).upstreamMetricsIntervalMs).toBe(0);
    });

    it('tries 3 times and drains for 30 s on shutdown', () => {
      expect(config.retry.maxAttempts).toBe(3);
      expect(config.shutdownDrainMs).toBe(30_000);
    });

    it('keeps a resumable stream 30 s with nobody attached, and 1 MiB of its events', () => {
      expect(config.resume).toEqual({ resumeMs: 30_000, maxBytes: 1_048_576 });
    });

    it('continues a stream whose replica fails mid-stream, once', () => {
      expect(config.failover).toEqual({ continue: true, max: 1 });
    });

    it('bounds GraphQL documents: 64 KiB, 2,000 tokens, one generation, depth 8, 15 aliases, 20 directives, cost 5,000', () => {
      expect(config.documents).toEqual({
        maxBytes: 65_536, maxTokens: 2_000, maxGenerations: 1, maxDepth: 8, maxAliases: 15, maxDirectives: 20, maxCost: 5_000, introspection: true,
      });
    });

    it('requires no API key and limits no rate; sockets get 5 s to init, 16 operations, 5 min idle, 1 MiB unread', () => {
      expect(config.apiKeys).toEqual([]);
      expect(config.rateLimits).toEqual({ rpm: undefined, tpm: undefined, concurrent: undefined });
      expect(config.redis).toEqual({ url: undefined, failureMode: 'open' });
      expect(config.trustProxy).toBe(false);
      expect(config.websocket).toEqual({ initTimeoutMs: 5_000, maxOperations: 16, idleTimeoutMs: 300_000, maxBufferedBytes: 1_048_576 });
    });

    it('declares no model', () => {
      expect(config.models).toEqual([]);
    });
  });

  describe('overrides', () => {
    it('reads each variable it is given', () => {
      const config = loadConfig({
        HOST: '127.0.0.1',
        PORT: '9090',
        ALLOWED_ORIGINS: 'https://a.example, https://b.example ,',
        NODE_ENV: 'production',
        LOG_LEVEL: 'debug',
        EXPOSE_ENDPOINTS: 'false',
        HEALTH_CACHE_TTL_MS: '0',
        UPSTREAM_CONNECT_TIMEOUT_MS: '100',
        UPSTREAM_FIRST_TOKEN_TIMEOUT_MS: '200',
        UPSTREAM_IDLE_TIMEOUT_MS: '300',
        UPSTREAM_TIMEOUT_MS: '400',
        RETRY_MAX_ATTEMPTS: '1',
        SHUTDOWN_DRAIN_MS: '0',
        MAX_DOCUMENT_BYTES: '2048',
        MAX_DOCUMENT_TOKENS: '500',
        MAX_GENERATIONS_PER_OPERATION: '4',
        MAX_DOCUMENT_DEPTH: '3',
        MAX_DOCUMENT_ALIASES: '2',
        MAX_DOCUMENT_DIRECTIVES: '1',
        MAX_DOCUMENT_COST: '99',
        INTROSPECTION: 'off',
        RATE_LIMIT_RPM: '60',
        RATE_LIMIT_TPM: '10000',
        MAX_CONCURRENT_STREAMS: '4',
        REDIS_URL: 'redis://:secret@127.0.0.1:6379/2',
        REDIS_FAILURE_MODE: 'closed',
        TRUST_PROXY: 'true',
        WS_INIT_TIMEOUT_MS: '1000',
        WS_MAX_OPERATIONS: '2',
        WS_IDLE_TIMEOUT_MS: '9000',
        WS_MAX_BUFFERED_BYTES: '262144',
        STREAM_RESUME_MS: '0',
        STREAM_RESUME_MAX_BYTES: '4096',
        STREAM_FAILOVER: 'off',
        STREAM_FAILOVER_MAX: '3',
      });
      expect(config).toMatchObject({
        host: '127.0.0.1',
        port: 9090,
        allowedOrigins: ['https://a.example', 'https://b.example'],
        production: true,
        logLevel: 'debug',
        exposeEndpoints: false,
        healthCacheTtlMs: 0,
        rateLimits: { rpm: 60, tpm: 10_000, concurrent: 4 },
        redis: { url: 'redis://:secret@127.0.0.1:6379/2', failureMode: 'closed' },
        trustProxy: true,
        websocket: { initTimeoutMs: 1000, maxOperations: 2, idleTimeoutMs: 9000, maxBufferedBytes: 262_144 },
        documents: { maxBytes: 2048, maxTokens: 500, maxGenerations: 4, maxDepth: 3, maxAliases: 2, maxDirectives: 1, maxCost: 99, introspection: false },
        upstream: { connectMs: 100, firstTokenMs: 200, idleMs: 300, totalMs: 400 },
        retry: { maxAttempts: 1 },
        shutdownDrainMs: 0,
        resume: { resumeMs: 0, maxBytes: 4096 },
        failover: { continue: false, max: 3 },
      });
    });

    it('treats an empty or blank value as unset', () => {
      const config = loadConfig({ PORT: '', HOST: '  ', LOG_LEVEL: '', EXPOSE_ENDPOINTS: ' ' });
      expect(config).toMatchObject({ port: 8000, host: '0.0.0.0', logLevel: 'info', exposeEndpoints: true });
    });

    it('trims numbers', () => {
      expect(loadConfig({ PORT: ' 8081 ' }).port).toBe(8081);
    });

    it('accepts an empty ALLOWED_ORIGINS as "no cross-origin browser"', () => {
      expect(loadConfig({ ALLOWED_ORIGINS: '' }).allowedOrigins).toEqual([]);
    });

    it.each([
      ['true', true], ['TRUE', true], ['1', true], ['yes', true], ['on', true],
      ['false', false], ['False', false], ['0', false], ['no', false], ['off', false],
    ])('reads EXPOSE_ENDPOINTS=%s as %s', (value, expected) => {
      expect(loadConfig({ EXPOSE_ENDPOINTS: value }).exposeEndpoints).toBe(expected);
    });
  });

  describe('invalid values', () => {
    it.each([
      ['PORT', 'abc'],
      ['PORT', '70000'],
      ['PORT', '-1'],
      ['PORT', '80.5'],
      ['PORT', '1e3'],
      ['EXPOSE_ENDPOINTS', 'maybe'],
      ['LOG_LEVEL', 'loud'],
      ['LOG_LEVEL', 'INFO'],
      ['HEALTH_CACHE_TTL_MS', 'soon'],
      ['UPSTREAM_TIMEOUT_MS', '0'],
      ['UPSTREAM_FIRST_TOKEN_TIMEOUT_MS', '-5'],
      ['UPSTREAM_IDLE_TIMEOUT_MS', 'x'],
      ['UPSTREAM_CONNECT_TIMEOUT_MS', '0'],
      ['RETRY_MAX_ATTEMPTS', '0'],
      ['RETRY_MAX_ATTEMPTS', '11'],
      ['SHUTDOWN_DRAIN_MS', '-1'],
      ['STREAM_RESUME_MS', '-1'],
      ['STREAM_RESUME_MAX_BYTES', '100'],
      ['STREAM_FAILOVER', 'retry'],
      ['STREAM_FAILOVER_MAX', '11'],
      ['UPSTREAM_METRICS_INTERVAL_MS', '-1'],
      ['ROUTING', 'round-robin'],
    ])('throws a ConfigError naming %s for %j', (name, value) => {
      const error = configErrorOf(() => loadConfig({ [name]: value }));
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.name).toBe('ConfigError');
      expect(error.message).toContain(name);
      expect(error.message).toContain(value.trim());
    });

    it.each([
      ['TGI_X_ENDPOINT', 'ftp://a'],
      ['TGI_X_ENDPOINT', 'not a url'],
    ])('throws a ConfigError naming %s for %j', (name, value) => {
      expect(configErrorOf(() => loadConfig({ [name]: value })).message).toContain(name);
    });
  });
});

describe('REDIS_URL', () => {
  it('must be a redis: or rediss: URL, and its password is never quoted', () => {
    expect(configErrorOf(() => loadConfig({ REDIS_URL: 'http://:hunter2@host' })).message).toBe('REDIS_URL must use redis: or rediss:, got http:');
    expect(configErrorOf(() => loadConfig({ REDIS_URL: 'not a url hunter2' })).message).not.toMatch(/hunter2/);
  });
});
