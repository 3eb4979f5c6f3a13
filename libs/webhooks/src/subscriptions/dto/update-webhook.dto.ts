import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean } from 'class-validator';
import { OptionalField } from '@credence/http';
import { DescriptionField, EventTypesField, FieldsField, UrlField, WebhookFieldsDto } from './webhook-fields';

/** Partial update: what is given replaces what is stored. Enabling a disabled webhook clears its failure streak. */
export class UpdateWebhookDto {
  @ApiPropertyOptional() @OptionalField() @UrlField() url?: string;
  @ApiPropertyOptional({ type: [String] }) @OptionalField() @EventTypesField() event_types?: string[];
  @ApiPropertyOptional() @OptionalField() @DescriptionField() description?: string;
  @ApiPropertyOptional() @OptionalField() @IsBoolean() enabled?: boolean;
  @ApiPropertyOptional() @OptionalField() @IsBoolean() ordered?: boolean;
  @ApiPropertyOptional({ type: WebhookFieldsDto }) @OptionalField() @FieldsField() fields?: WebhookFieldsDto;
}
