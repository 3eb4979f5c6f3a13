import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { OptionalField } from '@credence/http';
import type { ApplicationType } from '../redirect-uris';
import { APPLICATION_TYPES, ApplicationNameField, ApplicationTypeField, ConnectionsField, NullableUriField, UriListField } from './application-fields';

export class CreateApplicationDto {
  @ApiProperty({ example: 'Intranet', minLength: 1, maxLength: 100 })
  @ApplicationNameField()
  name: string;

  @ApiProperty({
    enum: APPLICATION_TYPES,
    example: 'confidential',
    description: 'Fixed at creation. Confidential apps get a client secret; public apps (SPAs, native apps) have none.',
  })
  @ApplicationTypeField()
  type: ApplicationType;

  @ApiProperty({ type: [String], example: ['https://app.example.com/callback'], description: 'Exact URIs, at most 10; see docs/api.md for the rules.' })
  @UriListField()
  redirect_uris: string[];

  @ApiPropertyOptional({ type: [String], example: ['https://app.example.com/'], description: 'Exact URIs, at most 10; same rules as redirect_uris.' })
  @OptionalField()
  @UriListField()
  post_logout_redirect_uris?: string[];

  @ApiPropertyOptional({ type: [String], nullable: true, description: 'Connection ids the app may sign in with; absent or null: every connection of the tenant.' })
  @ConnectionsField()
  connections?: string[] | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'https://app.example.com/login',
    description: 'OIDC Core §4 login initiation endpoint: an IdP-initiated sign-in sends the browser here with iss. Exact; same rules as redirect_uris (https).',
  })
  @NullableUriField()
  initiate_login_uri?: string | null;
}
