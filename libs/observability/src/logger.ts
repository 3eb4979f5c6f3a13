import type { LoggerService } from '@nestjs/common';
import { pino, type DestinationStream, type Logger as Pino } from 'pino';
import { currentTraceId } from '@credence/context';

type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/** What one answered request leaves in the log. */
export interface CompletedRequest {
  traceId: string;
  method: string;
  url: string;
  statusCode: number;
  responseTimeMs: number;
}

/** Routes polled by orchestrators and scrapers: a line per poll would drown the rest. */
const UNLOGGED_URLS = new Set(['/health', '/metrics']);

/**
 * Fields a line must never show, where code logs an object that happens to hold one (a request's
 * headers, a body, a connection's settings): replaced by `[redacted]`. Costs nothing until a line
 * is written.
 */
const SECRET_FIELDS = [
  'password',
  'current_password',
  'new_password',
  'secret',
  'client_secret',
  'client_assertion',
  'authorization',
  'cookie',
  'token',
  'refresh_token',
  'access_token',
  'id_token',
  'id_token_hint',
  'invite_token',
  'code_verifier',
  'SAMLResponse',
];
const REDACT_PATHS = [...SECRET_FIELDS, ...SECRET_FIELDS.map((f) => `*.${f}`), '*.headers.authorization', '*.headers.cookie', '*.headers["set-cookie"]'];

/** Nest's own exception handlers call `error(message, stack, context)`: the stack arrives as a string. */
const STACK_TRACE = /\n\s*at /;

/**
 * An error as a line shows it: pino's standard fields, but not the parameters a failed query carries
 * (TypeORM's QueryFailedError, and the driver's error inside it): they hold password hashes, e-mails
 * and token hashes. The query text stays, which is what the line is read for.
 */
function errorFields(err: unknown): unknown {
  const fields = pino.stdSerializers.err(err as Error) as unknown as Record<string, unknown>;
  if (fields && typeof fields === 'object') {
    delete fields.parameters;
    const driver = fields.driverError;
    if (driver && typeof driver === 'object') delete (driver as Record<string, unknown>).parameters;
  }
  return fields;
}

function traceBinding(): Record<string, string> {
  const traceId = currentTraceId();
  return traceId ? { trace_id: traceId } : {};
}

/**
 * JSON lines on stdout (pino). A line written inside a request or a job carries its trace id as
 * `trace_id`, read from the unit's async context when the line is written: no request pays for a
 * child logger (pino-http built two per request, 4 % of an introspection's CPU at any log level)
 * for lines it may never write. Nest's loggers (`new Logger(Context)`) write through it, with their
 * context as `context`.
 */
export class AppLogger implements LoggerService {
  readonly pino: Pino;

  constructor(level: string, destination?: DestinationStream) {
    this.pino = pino({ level, mixin: traceBinding, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, serializers: { err: errorFields } }, destination as DestinationStream);
  }

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  /**
   * One line per answered request, except health checks and metric scrapes. `url` as requested; the
   * line shows its path only, since a query string can carry an authorization code or a token hint.
   */
  requestCompleted(request: CompletedRequest): void {
    if (!this.pino.isLevelEnabled('info')) return;
    const path = request.url.split('?', 1)[0];
    if (UNLOGGED_URLS.has(path)) return;
    this.pino.info(
      {
        trace_id: request.traceId,
        req: { method: request.method, url: path },
        res: { statusCode: request.statusCode },
        responseTime: Math.round(request.responseTimeMs),
      },
      request.statusCode >= 500 ? 'request errored' : 'request completed',
    );
  }

  /**
   * Nest's calling convention: the last parameter is the logger's context, any before it are
   * format arguments. An object message becomes the line's fields, an Error its `err`.
   */
  private write(level: Level, message: unknown, params: unknown[]): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const fields: Record<string, unknown> = {};
    let args = params;
    if (params.length > 0) {
      fields.context = params[params.length - 1];
      args = params.slice(0, -1);
    }
    if (message instanceof Error) {
      fields.err = message;
      this.pino[level](fields, ...(args as []));
    } else if (typeof message === 'object' && message !== null) {
      Object.assign(fields, message);
      this.pino[level](fields, ...(args as []));
    } else if (level === 'error' && typeof message === 'string' && args.length === 1 && typeof args[0] === 'string' && STACK_TRACE.test(args[0])) {
      const err = new Error(message);
      err.stack = args[0];
      fields.err = err;
      this.pino.error(fields);
    } else {
      this.pino[level](fields, String(message), ...(args as []));
    }
  }
}
