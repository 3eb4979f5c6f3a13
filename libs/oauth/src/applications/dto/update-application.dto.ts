import { ApiPropertyOptional } from '@nestjs/swagger';
import { OptionalField } from '@credence/http';
import { ApplicationNameField, ConnectionsField, NullableUriField, UriListField } from './application-fields';

/** Partial update; a list given replaces the whole list. `type` cannot change (create another application). */
export class UpdateApplicationDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 100 })
  @OptionalField()
  @ApplicationNameField()
  name?: string;

  @ApiPropertyOptional({ type: [String], example: ['https://app.example.com/callback'] })
  @OptionalField()
  @UriListField()
  redirect_uris?: string[];

  @ApiPropertyOptional({ type: [String], example: ['https://app.example.com/'] })
  @OptionalField()
  @UriListField()
  post_logout_redirect_uris?: string[];

  @ApiPropertyOptional({ type: [String], nullable: true, description: 'null: every connection of the tenant.' })
  @ConnectionsField()
  connections?: string[] | null;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'null: none.' })
  @NullableUriField()
  initiate_login_uri?: string | null;
}
