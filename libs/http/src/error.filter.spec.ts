import { ArgumentsHost, Logger, LoggerService } from '@nestjs/common';
import type { RequestContext } from '@credence/context';
import { DomainError } from '@credence/errors';
import { HttpErrorFilter } from './error.filter';

type Line = { level: string; fields: Record<string, unknown>; message: unknown };

function capture(): Line[] {
  const lines: Line[] = [];
  const record =
    (level: string) =>
    (message: unknown, ...params: unknown[]) =>
      lines.push({
        level,
        fields: typeof message === 'object' && message !== null ? (message as Record<string, unknown>) : {},
        message: typeof message === 'object' ? params[0] : message,
      });
  const logger: LoggerService = { log: record('log'), error: record('error'), warn: record('warn'), debug: record('debug'), verbose: record('verbose') };
  Logger.overrideLogger(logger);
  return lines;
}

function answer(filter: HttpErrorFilter, exception: unknown): { status: number; body: any } {
  const sent = { status: 0, body: undefined as any };
  const reply = {
    header: () => reply,
    status: (s: number) => ((sent.status = s), reply),
    send: (b: unknown) => ((sent.body = typeof b === 'string' ? JSON.parse(b) : b), reply),
  };
  const host = { switchToHttp: () => ({ getResponse: () => reply, getRequest: () => ({ id: 'a'.repeat(32) }) }) } as unknown as ArgumentsHost;
  filter.catch(exception, host);
  return sent;
}

describe('HttpErrorFilter logging', () => {
  const filter = new HttpErrorFilter({ active: false } as unknown as RequestContext);

  it('logs a 503 as a warning that says what failed, without a stack', () => {
    const lines = capture();
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(answer(filter, refused).status).toBe(503);
    expect(answer(filter, new DomainError('federation.ldap_unavailable', undefined, undefined, undefined)).status).toBe(503);
    expect(lines.map((l) => l.level)).toEqual(['warn', 'warn']);
    expect(lines[0].fields).toEqual({ trace_id: 'a'.repeat(32), code: 'service.unavailable', cause: 'connect ECONNREFUSED 127.0.0.1:5432' });
    expect(lines[1].fields).toMatchObject({ code: 'federation.ldap_unavailable' });
    expect(lines[1].fields).not.toHaveProperty('err');
  });

  it('logs anything unexpected as an error with the exception and its stack, and answers 500 internal', () => {
    const lines = capture();
    const bug = new TypeError('cannot read x of undefined');
    const sent = answer(filter, bug);
    expect(sent.status).toBe(500);
    expect(sent.body.error.code).toBe('internal');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'error', fields: { err: bug, trace_id: 'a'.repeat(32) } });
  });

  it('does not log a client error', () => {
    const lines = capture();
    expect(answer(filter, new DomainError('validation.failed')).status).toBe(400);
    expect(lines).toEqual([]);
  });
});
