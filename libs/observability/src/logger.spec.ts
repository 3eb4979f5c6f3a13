import { ClsServiceManager } from 'nestjs-cls';
import { AppLogger } from './logger';

function capture(level = 'trace') {
  const lines: Record<string, any>[] = [];
  const logger = new AppLogger(level, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
}

describe('AppLogger', () => {
  it('writes Nest’s calls as JSON lines: the last parameter is the context, earlier ones format the message', () => {
    const { logger, lines } = capture();
    logger.log('listening on %s', 'http://x', 'Startup');
    logger.warn('plain', 'Relay');
    logger.debug('no context');
    expect(lines).toMatchObject([
      { level: 30, msg: 'listening on http://x', context: 'Startup' },
      { level: 40, msg: 'plain', context: 'Relay' },
      { level: 20, msg: 'no context' },
    ]);
    expect(lines[2]).not.toHaveProperty('context');
  });

  it('makes an object message the line’s fields and an Error its err, with the stack', () => {
    const { logger, lines } = capture();
    logger.error({ code: 'x.y', trace_id: 'f'.repeat(32) }, 'it failed', 'Filter');
    logger.error(new RangeError('out of range'), 'Filter');
    expect(lines[0]).toMatchObject({ level: 50, code: 'x.y', trace_id: 'f'.repeat(32), msg: 'it failed', context: 'Filter' });
    expect(lines[1]).toMatchObject({ level: 50, context: 'Filter', err: { type: 'RangeError', message: 'out of range' } });
    expect(lines[1].err.stack).toContain('RangeError: out of range');
  });

  it('never shows a secret held by a logged object', () => {
    const { logger, lines } = capture();
    logger.warn(
      {
        password: 'p',
        connection: { client_secret: 's', name: 'Okta' },
        req: { headers: { authorization: 'Bearer t', cookie: 'c', accept: 'json' } },
        res: { headers: { 'set-cookie': 'sid=1' } },
      },
      'odd',
      'Test',
    );
    expect(lines[0]).toMatchObject({
      password: '[redacted]',
      connection: { client_secret: '[redacted]', name: 'Okta' },
      req: { headers: { authorization: '[redacted]', cookie: '[redacted]', accept: 'json' } },
      res: { headers: { 'set-cookie': '[redacted]' } },
    });
  });

  it('never shows the other secrets a logged body can hold: new and current passwords, PKCE verifiers, ID token hints, SAML Responses, invite tokens', () => {
    const { logger, lines } = capture();
    const body = {
      current_password: 'old',
      new_password: 'new',
      code_verifier: 'v',
      id_token_hint: 'eyJ',
      SAMLResponse: 'PHNhbWw',
      client_assertion: 'eyJa',
      invite_token: 'inv',
      id_token: 'eyJi',
      grant_type: 'authorization_code',
    };
    logger.warn({ ...body, body }, 'odd', 'Test');
    const redacted = { ...Object.fromEntries(Object.keys(body).map((k) => [k, '[redacted]'])), grant_type: 'authorization_code' };
    expect(lines[0]).toMatchObject({ ...redacted, body: redacted });
  });

  it('leaves out the parameters of a failed query, which hold hashes and e-mails, and keeps its text', () => {
    const { logger, lines } = capture();
    const driverError = Object.assign(new Error('duplicate key'), { code: '23505', parameters: ['ada@acme.example', '$argon2id$v=19$secret-hash'] });
    const failed = Object.assign(new Error('duplicate key'), {
      query: 'INSERT INTO users (email, password_hash) VALUES ($1, $2)',
      parameters: driverError.parameters,
      driverError,
    });
    logger.error({ err: failed, code: 'internal' }, 'request failed', 'ErrorFilter');
    logger.error(failed, 'ErrorFilter');
    for (const line of lines) {
      expect(JSON.stringify(line)).not.toMatch(/ada@acme|argon2id/);
      expect(line.err).toMatchObject({ message: 'duplicate key', query: 'INSERT INTO users (email, password_hash) VALUES ($1, $2)', driverError: { code: '23505' } });
    }
  });

  it('turns Nest’s own error(message, stack, context) into an err carrying that stack', () => {
    const { logger, lines } = capture();
    const stack = 'Error: boom\n    at handler (file.js:1:1)';
    logger.error('boom', stack, 'ExceptionsHandler');
    expect(lines[0]).toMatchObject({ level: 50, context: 'ExceptionsHandler', err: { message: 'boom', stack } });
  });

  it('adds the trace id of the request or job the line is written in, and none outside one', async () => {
    const { logger, lines } = capture();
    const cls = ClsServiceManager.getClsService();
    await cls.run(async () => {
      cls.set('traceId', 'a'.repeat(32));
      await Promise.resolve();
      logger.log('inside', 'Test');
    });
    logger.log('outside', 'Test');
    expect(lines[0]).toMatchObject({ msg: 'inside', trace_id: 'a'.repeat(32) });
    expect(lines[1]).not.toHaveProperty('trace_id');
  });

  it('writes nothing below its level, and nothing at all when silent', () => {
    const quiet = capture('warn');
    quiet.logger.log('info line', 'Test');
    quiet.logger.debug('debug line', 'Test');
    quiet.logger.warn('warn line', 'Test');
    expect(quiet.lines.map((l) => l.msg)).toEqual(['warn line']);
    const silent = capture('silent');
    silent.logger.fatal('fatal line', 'Test');
    silent.logger.requestCompleted({ traceId: 'b'.repeat(32), method: 'GET', url: '/v1/x', statusCode: 200, responseTimeMs: 1 });
    expect(silent.lines).toEqual([]);
  });

  it('logs one line per answered request, with its trace id and path but no query string, except health checks and metric scrapes', () => {
    const { logger, lines } = capture('info');
    logger.requestCompleted({ traceId: 'c'.repeat(32), method: 'POST', url: '/v1/t/acme/auth/login', statusCode: 401, responseTimeMs: 3.6 });
    logger.requestCompleted({ traceId: 'd'.repeat(32), method: 'GET', url: '/v1/t/acme/users', statusCode: 503, responseTimeMs: 12 });
    logger.requestCompleted({ traceId: 'e'.repeat(32), method: 'GET', url: '/health', statusCode: 200, responseTimeMs: 1 });
    logger.requestCompleted({ traceId: 'e'.repeat(32), method: 'GET', url: '/metrics?name[]=x', statusCode: 200, responseTimeMs: 1 });
    logger.requestCompleted({ traceId: 'f'.repeat(32), method: 'GET', url: '/v1/t/acme/oauth2/authorize?code=secret&id_token_hint=eyJ', statusCode: 400, responseTimeMs: 1 });
    expect(lines).toMatchObject([
      { level: 30, trace_id: 'c'.repeat(32), req: { method: 'POST', url: '/v1/t/acme/auth/login' }, res: { statusCode: 401 }, responseTime: 4, msg: 'request completed' },
      { level: 30, trace_id: 'd'.repeat(32), res: { statusCode: 503 }, msg: 'request errored' },
      { trace_id: 'f'.repeat(32), req: { url: '/v1/t/acme/oauth2/authorize' } },
    ]);
    expect(lines).toHaveLength(3);
    expect(JSON.stringify(lines)).not.toMatch(/secret|eyJ/);
  });
});
