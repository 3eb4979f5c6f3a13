import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** RFC 7662 §2.2. An inactive token gets `{"active": false}` and nothing else. */
export class IntrospectionResponse {
  @ApiProperty() active: boolean;
  @ApiPropertyOptional({ enum: ['access_token', 'refresh_token'] }) token_type?: 'access_token' | 'refresh_token';
  @ApiPropertyOptional({ description: 'User id' }) sub?: string;
  @ApiPropertyOptional({ description: 'Tenant id' }) tid?: string;
  @ApiPropertyOptional({ description: 'Session id (absent for an application token from client_credentials)' }) sid?: string;
  @ApiPropertyOptional({ description: 'Access tokens only' }) jti?: string;
  @ApiPropertyOptional() iss?: string;
  @ApiPropertyOptional({ oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] }) aud?: string | string[];
  @ApiPropertyOptional({ description: 'Seconds since epoch' }) exp?: number;
  @ApiPropertyOptional({ description: 'Seconds since epoch' }) iat?: number;
  @ApiPropertyOptional() nbf?: number;
  @ApiPropertyOptional({ type: [String], description: 'Access tokens only: the roles claim' }) roles?: string[];
  @ApiPropertyOptional({ description: 'Access tokens issued to an application (OAuth): its client_id' }) client_id?: string;
  @ApiPropertyOptional({ description: 'Access tokens issued to an application for a user: the granted scope' }) scope?: string;
}
