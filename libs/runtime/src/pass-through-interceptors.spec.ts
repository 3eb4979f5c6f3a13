import { CallHandler, Controller, ExecutionContext, Get, Injectable, Module, NestInterceptor } from '@nestjs/common';
import { APP_INTERCEPTOR, NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { ClsModule, ClsService } from 'nestjs-cls';
import { map } from 'rxjs';
import { dropPassThroughInterceptors } from './pass-through-interceptors';

@Injectable()
class Stamp implements NestInterceptor {
  intercept(_: ExecutionContext, next: CallHandler) {
    return next.handle().pipe(map((body: object) => ({ ...body, stamped: true })));
  }
}

@Controller()
class Probe {
  constructor(private readonly cls: ClsService) {}
  @Get('probe')
  probe() {
    return { traced: this.cls.get('trace') };
  }
}

@Module({
  imports: [ClsModule.forRoot({ global: true, middleware: { mount: true, setup: (cls) => cls.set('trace', 't-1') } })],
  controllers: [Probe],
  providers: [{ provide: APP_INTERCEPTOR, useClass: Stamp }],
})
class ProbeModule {}

describe('dropPassThroughInterceptors', () => {
  it('drops the pass-through nestjs-cls registers, keeps real interceptors, and the context still reaches the handler', async () => {
    const app = await NestFactory.create<NestFastifyApplication>(ProbeModule, new FastifyAdapter(), { logger: false });
    try {
      expect(dropPassThroughInterceptors(app)).toBe(1);
      await app.init();
      await app.getHttpAdapter().getInstance().ready();
      const res = await app.getHttpAdapter().getInstance().inject({ method: 'GET', url: '/probe' });
      expect(res.json()).toEqual({ traced: 't-1', stamped: true });
    } finally {
      await app.close();
    }
  });
});
