import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, Length } from 'class-validator';
import { OptionalField } from '@credence/http';

export const TOKEN_TYPE_HINTS = ['access_token', 'refresh_token'] as const;
export type TokenTypeHint = (typeof TOKEN_TYPE_HINTS)[number];

/** The body of RFC 7662 introspection and RFC 7009 revocation, form-urlencoded or JSON. */
export class TokenRequestDto {
  @ApiProperty({ description: 'An access token (JWT) or a refresh token of this tenant', maxLength: 8192 })
  @IsString()
  @Length(1, 8192)
  token: string;

  @ApiPropertyOptional({ enum: TOKEN_TYPE_HINTS, description: 'Where to look first; every type is searched anyway' })
  @OptionalField()
  @IsIn(TOKEN_TYPE_HINTS)
  token_type_hint?: TokenTypeHint;

  @ApiPropertyOptional({ description: 'client_secret_post; or use HTTP Basic (client_secret_basic), not both' })
  @OptionalField()
  @IsString()
  @Length(1, 100)
  client_id?: string;

  @ApiPropertyOptional({ description: 'client_secret_post, with client_id' })
  @OptionalField()
  @IsString()
  @Length(1, 200)
  client_secret?: string;
}
