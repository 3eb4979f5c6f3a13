import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, IsUUID, Length, ValidateIf } from 'class-validator';
import { OptionalField } from '@credence/http';
import { DeviceTypeField, LocationField } from '../../sessions/dto/client-hints';

export class LoginDto {
  @ApiPropertyOptional({ description: 'E-mail address; send this or username', example: 'ada@acme.example' })
  @ValidateIf((o: LoginDto) => o.username === undefined || o.email !== undefined)
  @IsString()
  @Length(1, 254)
  email?: string;

  @ApiPropertyOptional({ description: 'Username; send this or email' })
  @ValidateIf((o: LoginDto) => o.email === undefined || o.username !== undefined)
  @IsString()
  @Length(1, 254)
  username?: string;

  @ApiProperty({ minLength: 1, maxLength: 256 })
  @IsString()
  @Length(1, 256)
  password: string;

  @ApiPropertyOptional({
    description: 'An LDAP connection of the tenant: the username (or e-mail) and password are checked by its directory, not by Credence.',
    format: 'uuid',
  })
  @OptionalField()
  @IsUUID()
  connection?: string;

  @DeviceTypeField()
  device_type?: string;

  @LocationField()
  location?: string;
}

export class RefreshDto {
  @ApiProperty()
  @IsString()
  @Length(1, 200)
  refresh_token: string;
}
