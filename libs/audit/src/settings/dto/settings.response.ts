import { ApiProperty } from '@nestjs/swagger';

export class SettingsResponseDto {
  @ApiProperty({
    description: "The value in effect for each key: the tenant's own, or the platform default",
    example: { session_anonymize_after_days: 90, audit_retention_days: 365 },
  })
  values: Record<string, number>;

  @ApiProperty({ type: [String], description: 'Keys the tenant has not set (their value is the platform default)', example: ['audit_retention_days'] })
  defaults: string[];
}
