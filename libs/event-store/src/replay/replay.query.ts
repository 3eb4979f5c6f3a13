import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { DomainError } from '@credence/errors';

const TYPES = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+(,[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+){0,19}$/;

export class ReplayQueryDto {
  @ApiPropertyOptional({ description: 'next_cursor of the previous page; absent to start at the oldest event kept' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,40}$/)
  after?: string;

  @ApiPropertyOptional({ description: 'Comma-separated event types to return (at most 20), e.g. user.created,auth.session.revoked' })
  @IsOptional()
  @IsString()
  @Matches(TYPES, { message: 'types must be a comma-separated list of event types' })
  types?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit: number = 100;
}

/** Cursors are the store's seq, opaque to clients. */
export function encodeSeq(seq: string): string {
  return Buffer.from(`s${seq}`, 'utf8').toString('base64url');
}

export function decodeSeq(cursor: string | undefined): string {
  if (!cursor) return '0';
  const raw = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^s\d{1,18}$/.test(raw)) throw new DomainError('validation.failed', undefined, [{ field: 'after', issue: 'cursor is not one this API issued' }]);
  return raw.slice(1);
}
