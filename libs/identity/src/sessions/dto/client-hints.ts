import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, MaxLength } from 'class-validator';
import { OptionalField } from '@credence/http';

export const DEVICE_TYPES = ['mobile', 'tablet', 'desktop', 'smarttv', 'wearable', 'console', 'embedded', 'other'] as const;

/** What a signing-in client may say about itself: recorded on the session it starts. */
export const DeviceTypeField = () =>
  applyDecorators(ApiPropertyOptional({ enum: DEVICE_TYPES, description: 'Overrides the type parsed from User-Agent' }), OptionalField(), IsIn(DEVICE_TYPES));

export const LocationField = () =>
  applyDecorators(ApiPropertyOptional({ description: 'Where the client says it is, e.g. "Berlin, DE"', maxLength: 120 }), OptionalField(), IsString(), MaxLength(120));
