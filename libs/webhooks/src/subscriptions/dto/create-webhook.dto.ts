import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean } from 'class-validator';
import { OptionalField } from '@credence/http';
import { DescriptionField, EventTypesField, FieldsField, UrlField, WebhookFieldsDto } from './webhook-fields';

export class CreateWebhookDto {
  @ApiProperty({ example: 'https://203.0.113.10/credence', maxLength: 2000, description: 'http(s); must pass the SSRF guard (docs/webhooks.md).' })
  @UrlField()
  url: string;

  @ApiProperty({ type: [String], example: ['user.*', 'auth.login.failed'] })
  @EventTypesField()
  event_types: string[];

  @ApiPropertyOptional({ maxLength: 500 }) @OptionalField() @DescriptionField() description?: string;
  @ApiPropertyOptional({ default: true }) @OptionalField() @IsBoolean() enabled?: boolean;

  @ApiPropertyOptional({ default: true, description: 'Deliver the events of one aggregate in order (false: faster, any order).' })
  @OptionalField()
  @IsBoolean()
  ordered?: boolean;

  @ApiPropertyOptional({ type: WebhookFieldsDto }) @OptionalField() @FieldsField() fields?: WebhookFieldsDto;
}
