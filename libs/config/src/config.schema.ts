import { availableParallelism } from 'node:os';
import proxyaddr from '@fastify/proxy-addr';
import { z } from 'zod';
import { auditSettings } from './audit.schema';
import { webhookSettings } from './webhooks.schema';
import { envBool } from './env-bool';
import { eventsSettings } from './events.schema';

const seconds = (fallback: number) => z.coerce.number().int().min(0).default(fallback);
const base64Key32 = z.string().refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, base64-encoded');

/** Every issuer is `{CREDENCE_BASE_URL}/v1/t/{slug}`: a query, a fragment or credentials in it would end up inside each one. */
const baseUrl = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).refine((v) => {
  const u = URL.parse(v);
  return !u || (!u.search && !u.hash && !u.username && !u.password);
}, 'must have no query, fragment or credentials');

/**
 * True for an http:// base URL on a host other than the machine itself. In production that would
 * make every issuer an http URL (OpenID Connect requires https) and send the browser session over
 * the network in the clear; loopback stays allowed (the compose file's local default).
 */
function isPlainHttpBeyondLoopback(value: string): boolean {
  const u = URL.parse(value);
  if (!u || u.protocol !== 'http:') return false;
  return !['localhost', '127.0.0.1', '[::1]'].includes(u.hostname) && !u.hostname.endsWith('.localhost');
}

/** The entries of TRUSTED_PROXIES, as the app hands them to Fastify. */
export const proxyList = (value: string): string[] =>
  value
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);

/** TRUSTED_PROXIES as Fastify reads it (its proxy-addr compiles the list and throws on an entry it cannot read). */
function isProxyList(value: string): boolean {
  try {
    proxyaddr.compile(proxyList(value));
    return true;
  } catch {
    return false;
  }
}

/** Every environment variable Credence reads, with its default. process.env is read only by readEnvironment(). */
export const configSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    /** Worker processes behind the one port (node:cluster); `auto`: one per CPU the process may use. */
    CREDENCE_WORKERS: z
      .string()
      .refine((v) => v === 'auto' || (/^\d{1,2}$/.test(v) && Number(v) >= 1 && Number(v) <= 64), 'must be a whole number from 1 to 64, or auto')
      .default('1')
      .transform((v) => (v === 'auto' ? availableParallelism() : Number(v))),
    HOST: z.string().min(1).default('0.0.0.0'),
    CREDENCE_BASE_URL: baseUrl.optional(),
    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' }).optional(),
    DB_POOL_MAX: z.coerce.number().int().min(1).max(500).default(10),
    DB_POOL_MAX_USES: z.coerce.number().int().min(0).default(5000),
    DB_IDLE_TIMEOUT_MS: z.coerce.number().int().min(0).default(30_000),
    DB_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
    DB_QUERY_TIMEOUT_MS: z.coerce.number().int().min(0).max(3_600_000).default(15_000),
    REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).default('redis://localhost:6379'),
    REDIS_PREFIX: z
      .string()
      .regex(/^[a-z0-9:_-]{1,40}$/)
      .default('credence'),
    REDIS_COMMAND_TIMEOUT_MS: z.coerce.number().int().min(10).max(60_000).default(500),
    CREDENCE_DATA_DIR: z.string().min(1).default('.credence'),
    CREDENCE_ADMIN_KEY: z.string().min(32, 'must be at least 32 characters').max(256).optional(),
    METRICS_TOKEN: z.string().min(32, 'must be at least 32 characters').max(256).optional(),
    CREDENCE_KEY_ENCRYPTION_KEY: base64Key32.optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    HTTP_BODY_LIMIT_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .max(10 * 1024 * 1024)
      .default(100 * 1024),
    TENANT_MIGRATION_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
    /** How long a background job stays with a worker that stopped renewing its lock (a killed process) before another takes it over. */
    JOB_LOCK_SECONDS: z.coerce.number().int().min(5).max(3600).default(30),
    TENANT_PURGE_GRACE_SECONDS: seconds(30 * 24 * 3600),
    PROVISIONING_STALE_AFTER_SECONDS: seconds(30),
    /** Spare, migrated tenant schemas kept ready for onboarding (libs/tenancy/src/spares); 0 turns the pool off. */
    TENANT_SPARE_POOL_SIZE: z.coerce.number().int().min(0).max(1000).default(8),
    /** How often the pool is topped up besides right after each onboarding that took a spare. */
    TENANT_SPARE_REFILL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
    SIGNING_KEY_ROTATE_AFTER_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
    TOKEN_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(300).default(30),
    TRUSTED_PROXIES: z.string().refine(isProxyList, 'must be comma-separated IP addresses or CIDR ranges (or loopback, linklocal, uniquelocal)').default(''),
    LOGIN_IP_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(30),
    AUTHORIZE_IP_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(300),
    OTP_SENDER: z.enum(['log', 'smtp']).default('log'),
    SMTP_URL: z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' }).optional(),
    SMTP_FROM: z.string().min(3).default('Credence <no-reply@localhost>'),
    ARGON2_MEMORY_KIB: z.coerce.number().int().min(1024).default(19_456),
    ARGON2_TIME_COST: z.coerce.number().int().min(1).default(2),
    /** Worker threads that hash passwords, i.e. hashes in flight at once. */
    ARGON2_MAX_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
    /** Hashes waiting for a thread; past it the request answers 503 with Retry-After. */
    ARGON2_QUEUE: z.coerce.number().int().min(1).max(10_000).default(64),
    /** How much the hashing threads lower their own priority (nice increment, 0 to 19). */
    ARGON2_NICE: z.coerce.number().int().min(0).max(19).default(19),
    /** Linux: the hashing threads run under SCHED_IDLE, so any other work that wakes up takes their core at once. */
    ARGON2_SCHED_IDLE: envBool.default(true),
    /** Hosts (or host:port) the federation SSRF guard fetches from even on private, loopback or link-local addresses. */
    FEDERATION_ALLOWED_HOSTS: z.string().max(4000).default(''),
    /** 0 turns the schedule off. */
    FEDERATION_METADATA_REFRESH_SECONDS: z.coerce
      .number()
      .int()
      .min(0)
      .max(7 * 24 * 3600)
      .default(21_600),
    /**
     * Refused federated sign-ins recorded per client address and connection a minute. The refusals before
     * any identity is known (a forged or replayed Response, a bogus callback) come from anyone; past the
     * limit the browser gets 429 and nothing more reaches the audit trail.
     */
    FEDERATION_REFUSALS_PER_IP_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(60),
    /** One deadline for each request to an OIDC IdP (discovery, JWKS, token, userinfo): a stalled IdP is a refusal, not a hang. */
    FEDERATION_OIDC_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
    /** Worker threads that parse and check SAML messages off the event loop (one leaves a 2-core machine's other core to the loop). */
    SAML_VERIFY_THREADS: z.coerce.number().int().min(1).max(32).default(1),
    /** SAML messages waiting for a verification thread; past it the ACS answers 503 with Retry-After. */
    SAML_VERIFY_QUEUE: z.coerce.number().int().min(1).max(10_000).default(64),
    ...eventsSettings,
    ...auditSettings,
    ...webhookSettings,
  })
  .superRefine(
    (c, ctx) => {
      if (c.OTP_SENDER === 'smtp' && !c.SMTP_URL) ctx.addIssue({ code: 'custom', path: ['SMTP_URL'], message: 'is required when OTP_SENDER=smtp' });
      if (c.EVENTS_TRANSPORT && c.EVENTS_TRANSPORT !== 'redis-streams' && !c.EVENTS_TRANSPORT_URL) {
        ctx.addIssue({ code: 'custom', path: ['EVENTS_TRANSPORT_URL'], message: `is required when EVENTS_TRANSPORT=${c.EVENTS_TRANSPORT}` });
      }
      if (c.NODE_ENV !== 'production') return;
      if (c.OTP_SENDER === 'log') ctx.addIssue({ code: 'custom', path: ['OTP_SENDER'], message: 'must not be log in production (it writes one-time codes to the log)' });
      for (const key of ['DATABASE_URL', 'CREDENCE_ADMIN_KEY', 'CREDENCE_KEY_ENCRYPTION_KEY'] as const) {
        if (!c[key]) ctx.addIssue({ code: 'custom', path: [key], message: 'is required when NODE_ENV=production' });
      }
      if (c.CREDENCE_BASE_URL && isPlainHttpBeyondLoopback(c.CREDENCE_BASE_URL)) {
        ctx.addIssue({ code: 'custom', path: ['CREDENCE_BASE_URL'], message: 'must be https:// in production (http:// only for localhost)' });
      }
      if (typeof c.ARGON2_MEMORY_KIB === 'number' && c.ARGON2_MEMORY_KIB < 19_456) {
        ctx.addIssue({ code: 'custom', path: ['ARGON2_MEMORY_KIB'], message: 'must be at least 19456 (OWASP minimum) in production' });
      }
      if (typeof c.ARGON2_TIME_COST === 'number' && c.ARGON2_TIME_COST < 2) {
        ctx.addIssue({ code: 'custom', path: ['ARGON2_TIME_COST'], message: 'must be at least 2 (OWASP minimum) in production' });
      }
    },
    // Run even when other variables are bad, so one message names every problem.
    { when: () => true },
  );

export type RawConfig = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/**
 * z.coerce.number() reads a blank value as 0: `PORT=` listened on a random port and
 * `TENANT_PURGE_GRACE_SECONDS=` purged deleted tenants at once. A blank value read as a number is refused.
 */
function blankNumbers(env: Record<string, string | undefined>): string[] {
  const shape = configSchema.shape as Record<string, z.ZodType>;
  return Object.keys(shape)
    .filter((name) => env[name]?.trim() === '' && typeof shape[name].safeParse(env[name]).data === 'number')
    .map((name) => `${name} is blank: set a number, or leave it unset for the default`);
}

/** Validates the environment once; throws one error naming every bad variable. */
export function parseConfig(env: Record<string, string | undefined>): RawConfig {
  const blank = blankNumbers(env);
  const result = configSchema.safeParse(env);
  if (result.success && blank.length === 0) return result.data;
  const problems = [...blank, ...(result.error?.issues ?? []).map((i) => `${i.path.join('.') || '(root)'} ${i.message}`)];
  throw new ConfigError(problems);
}
