import { ApiProperty } from '@nestjs/swagger';

export class ExternalEventResponse {
  @ApiProperty({ description: 'The stored event id (event_id in GET /audit/events)' }) event_id: string;
  @ApiProperty({ example: 'external.invoice.paid' }) type: string;
  @ApiProperty({ example: 'external:service_credential/0190f7a2-...' }) source: string;
  @ApiProperty({ description: 'As stored: UTC, milliseconds' }) occurred_at: string;
}
