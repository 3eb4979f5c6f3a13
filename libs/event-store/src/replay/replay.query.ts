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

const CURSOR_VERSION = 1;
const CURSOR_BYTES = 1 + 16 + 8;
const UUID_HEX = /^[0-9a-f]{32}$/;

function notIssued(issue = 'cursor is not one this API issued'): DomainError {
  return new DomainError('validation.failed', undefined, [{ field: 'after', issue }]);
}

/**
 * Cursors are opaque to clients: a version byte, the tenant's id (16 bytes) and the store's seq
 * (8 bytes, big-endian), base64url. The seq is global to the store, so a cursor that named only it
 * would be taken at another tenant and skip that tenant's events up to it; the tenant id binds it
 * to the tenant it was issued for.
 */
export function encodeSeq(tenantId: string, seq: string): string {
  const buf = Buffer.alloc(CURSOR_BYTES);
  buf.writeUInt8(CURSOR_VERSION, 0);
  Buffer.from(tenantId.replace(/-/g, '').toLowerCase(), 'hex').copy(buf, 1);
  buf.writeBigUInt64BE(BigInt(seq), 17);
  return buf.toString('base64url');
}

/** The seq after which to read, from a cursor issued for this tenant; '0' without a cursor. A cursor of another tenant is refused. */
export function decodeSeq(cursor: string | undefined, tenantId: string): string {
  if (!cursor) return '0';
  const buf = Buffer.from(cursor, 'base64url');
  if (buf.length !== CURSOR_BYTES || buf.toString('base64url') !== cursor || buf.readUInt8(0) !== CURSOR_VERSION) throw notIssued();
  const tenant = tenantId.replace(/-/g, '').toLowerCase();
  if (!UUID_HEX.test(tenant) || buf.subarray(1, 17).toString('hex') !== tenant) throw notIssued('cursor was issued for another tenant');
  const seq = buf.readBigUInt64BE(17);
  // event_store.seq is a bigint: a cursor past its range was not issued here.
  if (seq > BigInt('9223372036854775807')) throw notIssued();
  return seq.toString();
}
