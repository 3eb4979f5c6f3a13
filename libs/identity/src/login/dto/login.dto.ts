import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, Length, MaxLength, ValidateIf } from 'class-validator';
import { OptionalField } from '@credence/http';

export const DEVICE_TYPES = ['mobile', 'tablet', 'desktop', 'smarttv', 'wearable', 'console', 'embedded', 'other'] as const;

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

export class RefreshDto {
  @ApiProperty()
  @IsString()
  @Length(1, 200)
  refresh_token: string;
}
