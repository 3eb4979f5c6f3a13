import { ApiProperty } from '@nestjs/swagger';

export class TokenPairResponse {
  @ApiProperty({ description: 'ES256 JWT (typ at+jwt)' }) access_token: string;
  @ApiProperty({ enum: ['Bearer'] }) token_type: 'Bearer';
  @ApiProperty({ description: 'Seconds until the access token expires' }) expires_in: number;
  @ApiProperty({ description: 'Opaque; rotated on every use' }) refresh_token: string;
  @ApiProperty() session_id: string;
}

class LoginUser {
  @ApiProperty() id: string;
  @ApiProperty() email: string;
  @ApiProperty({ nullable: true, type: String }) username: string | null;
  @ApiProperty({ nullable: true, type: String }) display_name: string | null;
}

export class LoginResponse extends TokenPairResponse {
  @ApiProperty({ type: LoginUser }) user: LoginUser;
}
