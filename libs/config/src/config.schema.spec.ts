import { availableParallelism } from 'node:os';
import { ConfigError, parseConfig } from './config.schema';

const KEK = Buffer.alloc(32, 1).toString('base64');
const ADMIN_KEY = 'crd_admin_key_for_config_spec_0123456789';
const production = (over: Record<string, string | undefined> = {}) => ({
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://credence@db.internal:5432/credence',
  CREDENCE_ADMIN_KEY: ADMIN_KEY,
  CREDENCE_KEY_ENCRYPTION_KEY: KEK,
  OTP_SENDER: 'smtp',
  SMTP_URL: 'smtp://mail.internal:587',
  ...over,
});
const SMTP_SENDER = { OTP_SENDER: 'smtp', SMTP_URL: 'smtp://mail.internal:587' };

/** Runs parseConfig and returns the ConfigError it throws (failing the test when it does not). */
function problemsOf(env: Record<string, string | undefined>): string[] {
  let caught: unknown;
  try {
    parseConfig(env);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  return (caught as ConfigError).problems;
}

/** The variable each problem names (the text before the first space). */
const named = (problems: string[]) => problems.map((p) => p.split(' ')[0]).sort();

describe('parseConfig', () => {
  it('fills in every default from an empty environment', () => {
    expect(parseConfig({})).toEqual({
      NODE_ENV: 'development',
      PORT: 3000,
      HOST: '0.0.0.0',
      CREDENCE_WORKERS: 1,
      DB_POOL_MAX: 10,
      DB_POOL_MAX_USES: 5000,
      DB_IDLE_TIMEOUT_MS: 30_000,
      DB_CONNECT_TIMEOUT_MS: 10_000,
      DB_QUERY_TIMEOUT_MS: 15_000,
      REDIS_URL: 'redis://localhost:6379',
      REDIS_PREFIX: 'credence',
      REDIS_COMMAND_TIMEOUT_MS: 500,
      CREDENCE_DATA_DIR: '.credence',
      LOG_LEVEL: 'info',
      HTTP_BODY_LIMIT_BYTES: 100 * 1024,
      TENANT_MIGRATION_CONCURRENCY: 4,
      TENANT_PURGE_GRACE_SECONDS: 30 * 24 * 3600,
      PROVISIONING_STALE_AFTER_SECONDS: 30,
      JOB_LOCK_SECONDS: 30,
      TENANT_SPARE_POOL_SIZE: 8,
      TENANT_SPARE_REFILL_SECONDS: 60,
      SIGNING_KEY_ROTATE_AFTER_DAYS: 90,
      TOKEN_CLOCK_SKEW_SECONDS: 30,
      TRUSTED_PROXIES: '',
      LOGIN_IP_LIMIT_PER_MINUTE: 30,
      AUTHORIZE_IP_LIMIT_PER_MINUTE: 300,
      OTP_SENDER: 'log',
      SMTP_FROM: 'Credence <no-reply@localhost>',
      ARGON2_MEMORY_KIB: 19_456,
      ARGON2_TIME_COST: 2,
      ARGON2_MAX_CONCURRENCY: 2,
      ARGON2_QUEUE: 64,
      ARGON2_NICE: 19,
      ARGON2_SCHED_IDLE: true,
      FEDERATION_ALLOWED_HOSTS: '',
      FEDERATION_METADATA_REFRESH_SECONDS: 21_600,
      FEDERATION_OIDC_TIMEOUT_MS: 10_000,
      FEDERATION_REFUSALS_PER_IP_PER_MINUTE: 60,
      SAML_VERIFY_THREADS: 1,
      SAML_VERIFY_QUEUE: 64,
      EVENTS_RELAY_ENABLED: true,
      EVENTS_TRANSPORT: 'redis-streams',
      EVENTS_RMQ_QUEUE: 'credence-events',
      EVENTS_PARTITIONS: 16,
      EVENTS_STREAM_MAX_LEN: 1_000_000,
      EVENTS_STREAM_MAX_AGE_SECONDS: 7 * 24 * 3600,
      EVENTS_RELAY_BATCH_SIZE: 1000,
      EVENTS_RELAY_POLL_MS: 1000,
      EVENTS_RELAY_BATCH_WINDOW_MS: 10,
      EVENTS_RELAY_LEADER_RETRY_MS: 1000,
      EVENTS_OUTBOX_KEEP_SECONDS: 3600,
      EVENTS_STORE_RETENTION_DAYS: 30,
      EVENTS_MAINTENANCE_EVERY_SECONDS: 60,
      EVENTS_RPC_ENABLED: true,
      EVENTS_RPC_GROUP: 'credence',
      AUDIT_INGEST_ENABLED: true,
      AUDIT_CONSUMER_GROUP: 'credence-audit',
      AUDIT_INGEST_BATCH_SIZE: 500,
      RETENTION_ENABLED: true,
      RETENTION_EVERY_SECONDS: 3600,
      RETENTION_BATCH_SIZE: 5000,
      RETENTION_PARALLEL_BATCHES: 2,
      WEBHOOKS_ENABLED: true,
      WEBHOOK_ALLOWED_HOSTS: '',
      WEBHOOK_RETRY_SCHEDULE: [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 50_400_000],
      WEBHOOK_CONSUMER_GROUP: 'credence-webhooks',
      WEBHOOK_CONNECT_TIMEOUT_MS: 5_000,
      WEBHOOK_TIMEOUT_MS: 15_000,
      WEBHOOK_DISABLE_AFTER_SECONDS: 432_000,
    });
  });

  it('leaves the secrets and URLs without defaults undefined', () => {
    const c = parseConfig({});
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.CREDENCE_ADMIN_KEY).toBeUndefined();
    expect(c.CREDENCE_KEY_ENCRYPTION_KEY).toBeUndefined();
    expect(c.CREDENCE_BASE_URL).toBeUndefined();
  });

  it('coerces numbers from strings and keeps given values', () => {
    const c = parseConfig({
      PORT: '8080',
      DB_POOL_MAX: '50',
      TENANT_PURGE_GRACE_SECONDS: '0',
      LOG_LEVEL: 'debug',
      REDIS_PREFIX: 'credence-test:bad',
      DATABASE_URL: 'postgres://u@h:5432/d',
      CREDENCE_KEY_ENCRYPTION_KEY: KEK,
    });
    expect(c).toMatchObject({
      PORT: 8080,
      DB_POOL_MAX: 50,
      TENANT_PURGE_GRACE_SECONDS: 0,
      LOG_LEVEL: 'debug',
      REDIS_PREFIX: 'credence-test:bad',
      DATABASE_URL: 'postgres://u@h:5432/d',
      CREDENCE_KEY_ENCRYPTION_KEY: KEK,
    });
  });

  it('reads CREDENCE_WORKERS as a count, auto as one per core, and refuses anything else', () => {
    expect(parseConfig({ CREDENCE_WORKERS: '2' }).CREDENCE_WORKERS).toBe(2);
    expect(parseConfig({ CREDENCE_WORKERS: 'auto' }).CREDENCE_WORKERS).toBe(availableParallelism());
    for (const bad of ['0', '65', '1.5', 'all', '']) {
      expect(() => parseConfig({ CREDENCE_WORKERS: bad })).toThrow(/CREDENCE_WORKERS must be a whole number from 1 to 64, or auto/);
    }
  });

  it('ignores variables it does not know', () => {
    expect(parseConfig({ PATH: '/usr/bin', HOME: '/root' })).not.toHaveProperty('PATH');
  });

  it('names every bad variable in one ConfigError', () => {
    const problems = problemsOf({ PORT: 'abc', REDIS_URL: 'nope', DB_POOL_MAX: '0' });
    expect(named(problems)).toEqual(['DB_POOL_MAX', 'PORT', 'REDIS_URL']);
  });

  it('puts every problem in the message', () => {
    let message = '';
    try {
      parseConfig({ PORT: 'abc', REDIS_URL: 'nope', DB_POOL_MAX: '0' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^Invalid configuration:/);
    for (const name of ['PORT', 'REDIS_URL', 'DB_POOL_MAX']) expect(message).toContain(`  - ${name} `);
  });

  it.each([
    ['NODE_ENV', 'staging'],
    ['PORT', '65536'],
    ['PORT', '-1'],
    ['PORT', '80.5'],
    ['DB_POOL_MAX', '501'],
    ['REDIS_URL', 'redis//localhost:6379'],
    ['REDIS_PREFIX', 'Credence'],
    ['REDIS_PREFIX', 'x'.repeat(41)],
    ['DATABASE_URL', 'not a url'],
    ['CREDENCE_BASE_URL', 'example.com'],
    ['CREDENCE_ADMIN_KEY', 'too-short'],
    ['CREDENCE_ADMIN_KEY', 'k'.repeat(257)],
    ['CREDENCE_KEY_ENCRYPTION_KEY', Buffer.alloc(16).toString('base64')],
    ['CREDENCE_KEY_ENCRYPTION_KEY', 'not base64 at all'],
    ['LOG_LEVEL', 'verbose'],
    ['HTTP_BODY_LIMIT_BYTES', '1023'],
    ['TENANT_MIGRATION_CONCURRENCY', '0'],
    ['TENANT_SPARE_POOL_SIZE', '-1'],
    ['TENANT_SPARE_REFILL_SECONDS', '0'],
    ['TENANT_PURGE_GRACE_SECONDS', '-5'],
    ['JOB_LOCK_SECONDS', '4'],
    ['JOB_LOCK_SECONDS', '3601'],
    ['JOB_LOCK_SECONDS', '7.5'],
    ['ARGON2_MEMORY_KIB', '512'],
    ['ARGON2_TIME_COST', '0'],
    ['ARGON2_MAX_CONCURRENCY', '65'],
    ['WEBHOOK_RETRY_SCHEDULE', '5s,soon'],
    ['WEBHOOK_RETRY_SCHEDULE', ''],
    ['WEBHOOK_RETRY_SCHEDULE', '5 minutes'],
    ['ARGON2_QUEUE', '0'],
    ['ARGON2_NICE', '20'],
    ['ARGON2_SCHED_IDLE', 'yes'],
    ['EVENTS_RELAY_BATCH_WINDOW_MS', '-1'],
    ['EVENTS_RELAY_BATCH_WINDOW_MS', '5001'],
    ['EVENTS_RELAY_BATCH_WINDOW_MS', '2.5'],
  ])('refuses %s=%j, naming it', (name, value) => {
    expect(named(problemsOf({ [name]: value }))).toEqual([name]);
  });

  it.each(['PORT', 'TENANT_PURGE_GRACE_SECONDS', 'DB_QUERY_TIMEOUT_MS', 'EVENTS_RELAY_BATCH_WINDOW_MS'])('refuses a blank %s instead of reading it as 0', (name) => {
    for (const blank of ['', '  ']) {
      const problems = problemsOf({ [name]: blank });
      expect(named(problems)).toEqual([name]);
      expect(problems[0]).toContain('blank');
    }
  });

  it.each(['https://id.example.com/?tenant=x', 'https://id.example.com/#top', 'https://admin:pw@id.example.com', 'ftp://id.example.com', 'javascript://id.example.com'])(
    'refuses CREDENCE_BASE_URL=%s, which every issuer would carry',
    (value) => {
      expect(named(problemsOf({ CREDENCE_BASE_URL: value }))).toEqual(['CREDENCE_BASE_URL']);
    },
  );

  it.each(['http://id.example.com', 'http://10.0.0.5:3000', 'http://[2001:db8::1]/id'])(
    'refuses CREDENCE_BASE_URL=%s in production: issuers and the browser session would go in the clear',
    (value) => {
      const problems = problemsOf(production({ CREDENCE_BASE_URL: value }));
      expect(named(problems)).toEqual(['CREDENCE_BASE_URL']);
      expect(problems[0]).toContain('https');
      expect(parseConfig({ CREDENCE_BASE_URL: value }).CREDENCE_BASE_URL).toBe(value);
    },
  );

  it.each(['https://id.example.com', 'http://localhost:3001', 'http://127.0.0.1:3000/id', 'http://[::1]:3000', 'http://credence.localhost'])(
    'accepts CREDENCE_BASE_URL=%s in production',
    (value) => {
      expect(parseConfig(production({ CREDENCE_BASE_URL: value })).CREDENCE_BASE_URL).toBe(value);
    },
  );

  it('refuses a METRICS_TOKEN shorter than 32 characters, and takes a longer one', () => {
    expect(named(problemsOf({ METRICS_TOKEN: 'short' }))).toEqual(['METRICS_TOKEN']);
    expect(parseConfig({ METRICS_TOKEN: 'x'.repeat(32) }).METRICS_TOKEN).toBe('x'.repeat(32));
  });

  it('accepts CREDENCE_BASE_URL with a path below a reverse proxy', () => {
    expect(parseConfig({ CREDENCE_BASE_URL: 'https://example.com/id' }).CREDENCE_BASE_URL).toBe('https://example.com/id');
  });

  it.each(['garbage', '10.0.0.0/99', '10.0.0.1,not-an-ip', '::1/129', '10.0.0.0/8/8', 'fe80::/255.0.0.0'])(
    'refuses TRUSTED_PROXIES=%j at start instead of failing in Fastify',
    (value) => {
      expect(named(problemsOf({ TRUSTED_PROXIES: value }))).toEqual(['TRUSTED_PROXIES']);
    },
  );

  it('accepts TRUSTED_PROXIES as addresses, CIDR ranges, IPv4 netmasks and proxy-addr’s named ranges', () => {
    const value = ' 10.0.0.0/8, 127.0.0.1,::1, fd00::/8, 192.168.0.0/255.255.0.0, loopback,uniquelocal ';
    expect(parseConfig({ TRUSTED_PROXIES: value }).TRUSTED_PROXIES).toBe(value);
  });

  it('reports many bad variables of different kinds together', () => {
    const problems = problemsOf({
      NODE_ENV: 'staging',
      PORT: 'abc',
      LOG_LEVEL: 'loud',
      REDIS_PREFIX: 'UPPER',
      CREDENCE_KEY_ENCRYPTION_KEY: 'short',
      HTTP_BODY_LIMIT_BYTES: '1',
    });
    expect(named(problems)).toEqual(['CREDENCE_KEY_ENCRYPTION_KEY', 'HTTP_BODY_LIMIT_BYTES', 'LOG_LEVEL', 'NODE_ENV', 'PORT', 'REDIS_PREFIX']);
  });

  it('requires SMTP_URL when OTP_SENDER=smtp, in any environment', () => {
    expect(named(problemsOf({ OTP_SENDER: 'smtp' }))).toEqual(['SMTP_URL']);
    expect(parseConfig({ OTP_SENDER: 'smtp', SMTP_URL: 'smtp://127.0.0.1:2525' })).toMatchObject({ OTP_SENDER: 'smtp', SMTP_URL: 'smtp://127.0.0.1:2525' });
  });

  describe('in production', () => {
    it('accepts a complete configuration with the default argon2 cost', () => {
      expect(parseConfig(production())).toMatchObject({ NODE_ENV: 'production', ARGON2_MEMORY_KIB: 19_456, ARGON2_TIME_COST: 2 });
    });

    it('requires DATABASE_URL, CREDENCE_ADMIN_KEY and CREDENCE_KEY_ENCRYPTION_KEY, all named at once', () => {
      const problems = problemsOf({ NODE_ENV: 'production', ...SMTP_SENDER });
      expect(named(problems)).toEqual(['CREDENCE_ADMIN_KEY', 'CREDENCE_KEY_ENCRYPTION_KEY', 'DATABASE_URL']);
      expect(problems.every((p) => p.includes('required when NODE_ENV=production'))).toBe(true);
    });

    it.each(['DATABASE_URL', 'CREDENCE_ADMIN_KEY', 'CREDENCE_KEY_ENCRYPTION_KEY'])('requires %s alone', (name) => {
      expect(named(problemsOf(production({ [name]: undefined })))).toEqual([name]);
    });

    it('requires the OWASP argon2id memory minimum (19456 KiB)', () => {
      expect(named(problemsOf(production({ ARGON2_MEMORY_KIB: '19455' })))).toEqual(['ARGON2_MEMORY_KIB']);
      expect(parseConfig(production({ ARGON2_MEMORY_KIB: '65536', ARGON2_TIME_COST: '3' }))).toMatchObject({ ARGON2_MEMORY_KIB: 65536, ARGON2_TIME_COST: 3 });
    });

    it('requires the OWASP argon2id time cost minimum (t=2), naming ARGON2_TIME_COST', () => {
      const problems = problemsOf(production({ ARGON2_TIME_COST: '1' }));
      expect(problems.join('\n')).toMatch(/OWASP/);
      expect(named(problems)).toContain('ARGON2_TIME_COST');
    });

    it('refuses the log sender for one-time codes, also when OTP_SENDER is left at its default', () => {
      expect(named(problemsOf(production({ OTP_SENDER: 'log' })))).toEqual(['OTP_SENDER']);
      expect(named(problemsOf(production({ OTP_SENDER: undefined })))).toEqual(['OTP_SENDER']);
    });

    it('does not apply the production rules outside production', () => {
      expect(parseConfig({ NODE_ENV: 'test', ARGON2_MEMORY_KIB: '1024', ARGON2_TIME_COST: '1' })).toMatchObject({ ARGON2_MEMORY_KIB: 1024, ARGON2_TIME_COST: 1 });
    });

    it('names the production requirements together with ordinary bad values', () => {
      const problems = problemsOf({ NODE_ENV: 'production', PORT: 'abc', CREDENCE_ADMIN_KEY: ADMIN_KEY, ...SMTP_SENDER });
      expect(named(problems)).toEqual(['CREDENCE_KEY_ENCRYPTION_KEY', 'DATABASE_URL', 'PORT']);
    });
  });
});
