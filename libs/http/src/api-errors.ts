import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';

class ErrorDetailDto {
  @ApiPropertyOptional({ example: 'slug' }) field?: string;
  @ApiProperty({ example: 'slug must match ^[a-z][a-z0-9-]{1,62}$' }) issue: string;
}

class ErrorBodyDto {
  @ApiProperty({ example: 'validation.failed', description: 'One of the codes in docs/errors.md' }) code: string;
  @ApiProperty({ example: 'The request is not valid.' }) message: string;
  @ApiProperty({ example: '4bf92f3577b34da6a3ce929d0e0e4736', description: 'Also in the x-trace-id response header and the logs' }) trace_id: string;
  @ApiPropertyOptional({ type: [ErrorDetailDto] }) details?: ErrorDetailDto[];
}

export class ErrorEnvelopeDto {
  @ApiProperty({ type: ErrorBodyDto }) error: ErrorBodyDto;
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'validation.failed or request.malformed',
  401: 'auth.missing_credentials, auth.invalid_credentials, or a refused token (auth.token.invalid, auth.token.expired, auth.session.revoked)',
  403: 'auth.insufficient_scope, or tenant.suspended on tenant routes',
  404: 'the named resource does not exist',
  409: 'conflict with the current state (see docs/errors.md)',
  413: 'request.too_large',
  415: 'request.unsupported_media_type',
  503: 'service.unavailable: Postgres or Redis is out of reach',
};

/** Documents the error envelope for the statuses a route can answer. */
export function ApiErrors(...statuses: number[]) {
  return applyDecorators(...statuses.map((status) => ApiResponse({ status, description: DESCRIPTIONS[status] ?? 'error', type: ErrorEnvelopeDto })));
}
