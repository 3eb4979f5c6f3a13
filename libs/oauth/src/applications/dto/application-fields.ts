import { applyDecorators } from '@nestjs/common';
import { ArrayMaxSize, ArrayUnique, IsArray, IsIn, IsString, Length, Matches, MaxLength, ValidateIf } from 'class-validator';
import { MAX_REDIRECT_URI_LENGTH, MAX_REDIRECT_URIS } from '../redirect-uris';

export const APPLICATION_TYPES = ['public', 'confidential'] as const;
export const MAX_CONNECTIONS = 50;
const CONNECTION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const ApplicationNameField = () => applyDecorators(IsString(), Length(1, 100), Matches(/^[^\p{Cc}]+$/u, { message: 'name must not contain control characters' }));

export const ApplicationTypeField = () => applyDecorators(IsIn(APPLICATION_TYPES, { message: 'type must be public or confidential' }));

/** The shape of a URI list; RedirectUriPolicy checks each URI (scheme, host, normal form, duplicates). */
export const UriListField = () => applyDecorators(IsArray(), ArrayMaxSize(MAX_REDIRECT_URIS), IsString({ each: true }), MaxLength(MAX_REDIRECT_URI_LENGTH, { each: true }));

/** One URI (initiate_login_uri), or null to have none; RedirectUriPolicy checks it like a redirect URI. */
export const NullableUriField = () =>
  applyDecorators(
    ValidateIf((_o, v) => v !== undefined && v !== null),
    IsString(),
    MaxLength(MAX_REDIRECT_URI_LENGTH),
  );

/** Connection ids, or null for every connection of the tenant. Absent and null are both allowed. */
export const ConnectionsField = () =>
  applyDecorators(
    ValidateIf((_o, v) => v !== undefined && v !== null),
    IsArray(),
    ArrayMaxSize(MAX_CONNECTIONS),
    ArrayUnique(),
    IsString({ each: true }),
    Matches(CONNECTION_ID, { each: true, message: 'each of connections must be a connection id (a lower-case UUID)' }),
  );
