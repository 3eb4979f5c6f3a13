import { Body, Controller, Get, HttpCode, Inject, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AdminScopes, Authenticate } from '@credence/access';
import Redis from 'ioredis';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { DomainError } from '@credence/errors';
import { ApiErrors, Page } from '@credence/http';
import { REDIS } from '@credence/redis';
import { DeadLetter, DeadLetters } from '@credence/redis-streams-transport';
import { AuditDeadLetter, ListDeadLettersQueryDto, RedriveDeadLettersDto } from './dead-letters.dto';

function describe(letter: DeadLetter): AuditDeadLetter {
  let event: { id?: unknown; tenantid?: unknown } = {};
  try {
    event = JSON.parse(letter.data) as typeof event;
  } catch {
    /* not JSON: nothing more to say about it */
  }
  return {
    id: letter.id,
    type: letter.pattern,
    event_id: typeof event.id === 'string' ? event.id : null,
    tenant_id: typeof event.tenantid === 'string' ? event.tenantid : null,
    error: letter.error,
    attempts: letter.attempts,
    failed_at: letter.failedAt,
  };
}

/**
 * Platform admins: the events the audit trail gave up on (after the transport's retries), and a
 * way to send them back to the trail once the cause is fixed. Nothing is lost in between: the
 * dead-letter stream keeps them.
 */
@ApiTags('platform admin: audit')
@ApiBearerAuth('bearer')
@Controller('v1/admin/audit/dead-letters')
@Authenticate('platform_admin')
@ApiErrors(400, 401, 403, 413, 415, 503)
export class AuditDeadLettersController {
  private readonly letters: DeadLetters;

  constructor(@Inject(REDIS) redis: Redis, @Inject(APP_CONFIG) config: AppConfig) {
    this.letters = new DeadLetters(redis, config.REDIS_PREFIX, config.AUDIT_CONSUMER_GROUP);
  }

  @Get()
  @AdminScopes('tenants:read')
  @ApiOkResponse({ description: '{"data": [AuditDeadLetter], "meta": {"next_cursor": ...}}, oldest first' })
  async list(@Query() q: ListDeadLettersQueryDto): Promise<Page<AuditDeadLetter>> {
    if (q.cursor !== undefined && !/^\d{1,20}-\d{1,20}$/.test(q.cursor)) throw new DomainError('validation.failed', 'The cursor was not issued by this API.');
    const rows = await this.letters.list({ after: q.cursor, count: q.limit + 1 });
    const page = rows.slice(0, q.limit);
    return { data: page.map(describe), meta: { next_cursor: rows.length > q.limit ? page[page.length - 1].id : null } };
  }

  @Post('redrive')
  @HttpCode(200)
  @AdminScopes('tenants:write')
  @ApiOkResponse({ description: '{"redriven": n}: the letters go back to the audit consumer group only' })
  async redrive(@Body() dto: RedriveDeadLettersDto): Promise<{ redriven: number }> {
    return { redriven: await this.letters.redrive(dto.ids) };
  }
}
