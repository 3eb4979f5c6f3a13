import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { DeviceTypeField, LocationField } from '../../sessions/dto/client-hints';

export class AcceptInvitationDto {
  @ApiProperty({ description: 'The invite_token handed out when the user was invited (shown once).', example: 'inv_...' })
  @IsString()
  @Length(1, 200)
  token: string;

  @ApiProperty({ minLength: 1, maxLength: 256, description: "The user's first password, checked against the tenant's password policy." })
  @IsString()
  @Length(1, 256)
  password: string;

  @DeviceTypeField()
  device_type?: string;

  @LocationField()
  location?: string;
}
