import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsIn, IsString, Length, Matches } from 'class-validator';
import { OptionalField } from '@credence/http';
import { TextField, UrlField } from './connection-fields';

const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt'] as const;
const AuthMethodField = () => IsIn(AUTH_METHODS, { message: 'token_endpoint_auth_method must be client_secret_basic, client_secret_post or private_key_jwt' });

const SCOPE = /^[\x21\x23-\x5b\x5d-\x7e]{1,100}$/;
const ScopesField = () =>
  applyDecorators(IsArray(), ArrayMaxSize(20), ArrayUnique(), IsString({ each: true }), Matches(SCOPE, { each: true, message: 'each scope must be a scope token' }));

export class OidcInputDto {
  @ApiProperty({ example: 'https://login.example.com', description: 'https (http on loopback outside production).' })
  @UrlField()
  issuer: string;

  @ApiProperty() @TextField(500) client_id: string;

  @ApiPropertyOptional({ description: 'Sealed at rest, never returned. Required unless token_endpoint_auth_method is private_key_jwt.' })
  @OptionalField()
  @IsString()
  @Length(1, 2000)
  client_secret?: string;

  @ApiPropertyOptional({ type: [String], default: ['openid', 'email', 'profile'] })
  @OptionalField()
  @ScopesField()
  scopes?: string[];

  @ApiPropertyOptional({
    enum: AUTH_METHODS,
    default: 'client_secret_basic',
    description:
      'How Credence authenticates at the IdP token endpoint. private_key_jwt: Credence makes an RSA key for the connection and returns its public half (oidc.client_public_jwk, oidc.jwks_uri) for the IdP.',
  })
  @OptionalField()
  @AuthMethodField()
  token_endpoint_auth_method?: (typeof AUTH_METHODS)[number];
}

/** PATCH: each field optional; a client_secret given replaces the sealed one. */
export class OidcPatchDto {
  @ApiPropertyOptional() @OptionalField() @UrlField() issuer?: string;
  @ApiPropertyOptional() @OptionalField() @TextField(500) client_id?: string;
  @ApiPropertyOptional() @OptionalField() @IsString() @Length(1, 2000) client_secret?: string;
  @ApiPropertyOptional({ type: [String] }) @OptionalField() @ScopesField() scopes?: string[];
  @ApiPropertyOptional({ enum: AUTH_METHODS }) @OptionalField() @AuthMethodField() token_endpoint_auth_method?: (typeof AUTH_METHODS)[number];
}
