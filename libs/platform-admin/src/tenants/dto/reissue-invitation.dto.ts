import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, Length } from 'class-validator';

export class ReissueInvitationDto {
  @ApiProperty({ description: "The invited user's e-mail address (compared case-insensitively)", example: 'ada@acme.example' })
  @IsEmail()
  @Length(3, 254)
  email: string;
}

export class IssuedInvitationResponse {
  @ApiProperty() user_id: string;
  @ApiProperty() email: string;
  @ApiProperty({ enum: ['invited'] }) status: 'invited';
  @ApiProperty({ description: 'Shown this once; accept it with POST /v1/t/{tenant}/auth/invitations/accept' }) invite_token: string;
  @ApiProperty({ format: 'date-time' }) expires_at: string;
}
