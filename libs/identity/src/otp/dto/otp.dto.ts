import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsString, Length, Matches, ValidateIf } from 'class-validator';
import { DeviceTypeField, LocationField } from '../../sessions/dto/client-hints';

const E164 = /^\+[1-9][0-9]{6,14}$/;

export class RequestOtpDto {
  @ApiPropertyOptional({ description: 'E-mail address of the account; send this or phone', example: 'ada@acme.example' })
  @ValidateIf((o: RequestOtpDto) => o.phone === undefined || o.email !== undefined)
  @IsString()
  @Length(3, 254)
  @IsEmail()
  email?: string;

  @ApiPropertyOptional({ description: 'Phone number of the account in E.164 form; send this or email', example: '+4915112345678' })
  @ValidateIf((o: RequestOtpDto) => o.email === undefined || o.phone !== undefined)
  @IsString()
  @Matches(E164, { message: 'phone must be an E.164 number such as +4915112345678' })
  phone?: string;
}

export class VerifyOtpDto extends RequestOtpDto {
  @ApiProperty({ description: 'The six digits that were sent', example: '042817' })
  @IsString()
  @Matches(/^[0-9]{6}$/, { message: 'code must be six digits' })
  code: string;

  @DeviceTypeField()
  device_type?: string;

  @LocationField()
  location?: string;
}
