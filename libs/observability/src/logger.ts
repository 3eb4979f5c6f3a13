import { LoggerModule } from 'nestjs-pino';
import type { IncomingMessage } from 'node:http';
import { traceIdFrom } from '@credence/context';

/** JSON lines on stdout; every request line carries its trace id; secrets are redacted. */
export function loggerModule(level: string) {
  return LoggerModule.forRoot({
    pinoHttp: {
      level,
      genReqId: (req: IncomingMessage) => (req as { id?: string }).id ?? traceIdFrom(req.headers.traceparent as string | undefined),
      // The request's id is its trace id: bound once as trace_id (a customProps binding was a third child logger per request).
      customAttributeKeys: { reqId: 'trace_id' },
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'], censor: '[redacted]' },
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({ method: req.method, url: req.url }),
      },
      autoLogging: { ignore: (req: IncomingMessage) => req.url === '/health' || req.url === '/metrics' },
      quietReqLogger: true,
    },
  });
}
