import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsString, Length, Matches, MaxLength, ValidateIf } from 'class-validator';
import { OptionalField } from '@credence/http';
import { DEVICE_TYPES } from '../../login/dto/login.dto';

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

  @ApiPropertyOptional({ enum: DEVICE_TYPES, description: 'Overrides the type parsed from User-Agent' })
  @OptionalField()
  @IsIn(DEVICE_TYPES)
  device_type?: string;

  @ApiPropertyOptional({ description: 'Where the client says it is, e.g. "Berlin, DE"', maxLength: 120 })
  @OptionalField()
  @IsString()
  @MaxLength(120)
  location?: string;
}
