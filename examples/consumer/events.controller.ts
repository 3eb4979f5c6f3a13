import { Controller, Logger } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { CredenceCloudEvent, Idempotency, RedisStreamsContext, SessionRevokedData, UserData } from '@credence/consumer-kit';

/** What a consuming service writes: plain @EventPattern handlers, deduplicated by event id. */
@Controller()
export class EventsController {
  private readonly log = new Logger('ExampleConsumer');

  constructor(private readonly idempotency: Idempotency) {}

  @EventPattern('user.created')
  async userCreated(@Payload() event: CredenceCloudEvent<UserData>, @Ctx() ctx: RedisStreamsContext) {
    await this.idempotency.once(event.id, async () => {
      this.log.log(`user.created tenant=${event.tenantid} user=${event.data.user_id} email=${event.data.email} (attempt ${ctx.getAttempt()})`);
    });
  }

  @EventPattern('auth.session.revoked')
  async sessionRevoked(@Payload() event: CredenceCloudEvent<SessionRevokedData>) {
    await this.idempotency.once(event.id, async () => {
      this.log.log(`auth.session.revoked tenant=${event.tenantid} session=${event.data.session_id} user=${event.data.user_id} reason=${event.data.reason}`);
    });
  }
}
