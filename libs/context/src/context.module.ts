import { Global, Module } from '@nestjs/common';
import { ClsModule } from 'nestjs-cls';
import { RequestContext, traceIdFrom } from './request-context';

interface RawRequest {
  id?: string;
  headers: Record<string, string | string[] | undefined>;
}

@Global()
@Module({
  imports: [
    ClsModule.forRoot({
      global: true,
      middleware: {
        mount: true,
        // No proxy providers, plugins or CLS_REQ here: resolving them ran a require() and several awaits per request.
        resolveProxyProviders: false,
        initializePlugins: false,
        saveReq: false,
        setup: (cls, req: RawRequest) => {
          const traceparent = typeof req.headers.traceparent === 'string' ? req.headers.traceparent : undefined;
          cls.set('traceId', req.id ?? traceIdFrom(traceparent));
          if (traceparent) cls.set('traceparent', traceparent);
        },
      },
    }),
  ],
  providers: [RequestContext],
  exports: [RequestContext],
})
export class ContextModule {}
