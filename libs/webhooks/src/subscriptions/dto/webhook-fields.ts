import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsObject, IsString, Length, Matches, ValidateNested } from 'class-validator';
import { OptionalField } from '@credence/http';
import { EVENT_TYPE_PATTERN, FIELD_PATH } from '../../delivery/event-filter';

const NO_CONTROL = /^[^\p{Cc}]*$/u;

export const UrlField = () => applyDecorators(IsString(), Length(8, 2000), Matches(/^https?:\/\/[^\s\p{Cc}]+$/u, { message: 'url must be an http or https URL' }));

export const DescriptionField = () =>
  applyDecorators(IsString(), Length(0, 500), Matches(NO_CONTROL, { message: ({ property }) => `${property} must not contain control characters` }));

export const EventTypesField = () =>
  applyDecorators(
    IsArray(),
    ArrayMinSize(1),
    ArrayMaxSize(100),
    ArrayUnique(),
    IsString({ each: true }),
    Length(1, 200, { each: true }),
    Matches(EVENT_TYPE_PATTERN, { each: true, message: 'each of event_types must be an event type, a prefix such as user.*, or *' }),
  );

const FieldPaths = () =>
  applyDecorators(
    IsArray(),
    ArrayMaxSize(50),
    ArrayUnique(),
    IsString({ each: true }),
    Length(1, 200, { each: true }),
    Matches(FIELD_PATH, { each: true, message: 'each field must be a path such as data.ip' }),
  );

export class WebhookFieldsDto {
  @ApiPropertyOptional({ type: [String], example: ['data.user_agent'], description: 'Paths removed from every body (id, type, specversion, time and source stay).' })
  @OptionalField()
  @FieldPaths()
  exclude?: string[];

  @ApiPropertyOptional({ type: [String], example: ['data.email'], description: 'Personal fields sent as they are; the others (data.ip, data.email, ...) go out as null.' })
  @OptionalField()
  @FieldPaths()
  include?: string[];
}

export const FieldsField = () =>
  applyDecorators(
    IsObject(),
    ValidateNested(),
    Type(() => WebhookFieldsDto),
  );
