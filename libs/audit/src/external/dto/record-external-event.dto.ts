import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, Length, Matches } from 'class-validator';
import { IsStrictIsoDate, OptionalField } from '@credence/http';
import type { Outcome } from '../../trail/audit-record';
import { OUTCOMES } from '../../query/shared/audit-filters.dto';
import { IsBoundedJsonObject } from '../validation/bounded-json';
import { IsWithinWindow } from '../validation/instant-window';

/** Lower-case dotted words, like Credence's own types; stored under `external.`. */
export const EXTERNAL_TYPE = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/;
/** Printable text: no control characters (NUL included) and no unpaired surrogates. */
const PRINTABLE = /^[^\p{Cc}\p{Cs}]+$/u;

export const MAX_PAST_MS = 30 * 86_400_000;
export const MAX_FUTURE_MS = 5 * 60_000;
export const DETAILS_LIMITS = { maxDepth: 4, maxBytes: 4096, maxEntries: 50, maxKeyLength: 100 };

/** An event a service reports into the tenant's audit trail. */
export class RecordExternalEventDto {
  @ApiProperty({ example: 'invoice.paid', description: 'Lower-case words separated by dots, 1–100 characters; stored as external.<type>' })
  @IsString()
  @Length(1, 100)
  @Matches(EXTERNAL_TYPE, { message: 'type must be lower-case words (a-z, 0-9, _) separated by dots, e.g. invoice.paid' })
  type: string;

  @ApiProperty({ example: 'user:0190f7a2-...', description: 'Who acted, as the service knows them; 1–200 printable characters. Stored as data.actor.' })
  @IsString()
  @Length(1, 200)
  @Matches(PRINTABLE, { message: 'actor must be printable text without control characters' })
  actor: string;

  @ApiProperty({ example: 'invoice/8812', description: 'What the event is about; 1–500 printable characters' })
  @IsString()
  @Length(1, 500)
  @Matches(PRINTABLE, { message: 'subject must be printable text without control characters' })
  subject: string;

  @ApiProperty({ example: 'pay', description: 'What was done; 1–100 printable characters. Stored as data.action.' })
  @IsString()
  @Length(1, 100)
  @Matches(PRINTABLE, { message: 'action must be printable text without control characters' })
  action: string;

  @ApiProperty({ enum: OUTCOMES })
  @IsIn(OUTCOMES)
  outcome: Outcome;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: `A JSON object: at most ${DETAILS_LIMITS.maxBytes} bytes, ${DETAILS_LIMITS.maxDepth} levels, ${DETAILS_LIMITS.maxEntries} entries per object or array. Stored as data.details; never put personal data here (it cannot be erased).`,
  })
  @OptionalField()
  @IsBoundedJsonObject(DETAILS_LIMITS)
  details?: Record<string, unknown>;

  @ApiProperty({ example: '2026-03-01T12:00:00Z', description: 'RFC 3339 with a time zone; at most 30 days ago and 5 minutes ahead' })
  @IsStrictIsoDate()
  @IsWithinWindow(MAX_PAST_MS, MAX_FUTURE_MS)
  occurred_at: string;
}
