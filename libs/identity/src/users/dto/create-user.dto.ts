import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { OptionalField } from '@credence/http';
import { IsAttributeMap } from './attributes';
import { DisplayNameField, EmailField, PasswordField, PhoneField, UsernameField } from './user-fields';

export class CreateUserDto {
  @ApiProperty({ example: 'grace@acme.example', description: 'Unique in the tenant, compared case-insensitively.' })
  @EmailField()
  email: string;

  @ApiPropertyOptional({ example: 'grace', description: 'Unique in the tenant, compared case-insensitively.' })
  @OptionalField()
  @UsernameField()
  username?: string;

  @ApiPropertyOptional({ example: 'Grace Hopper' })
  @OptionalField()
  @DisplayNameField()
  display_name?: string;

  @ApiPropertyOptional({ example: '+14155550123' })
  @OptionalField()
  @PhoneField()
  phone?: string;

  @ApiPropertyOptional({ description: "Checked against the tenant's policy. Leave out for a user who signs in another way (OTP, SSO)." })
  @OptionalField()
  @PasswordField()
  password?: string;

  @ApiPropertyOptional({ type: Object, example: { department: 'engineering' }, description: 'Flat map; scopes such as :department compare these.' })
  @OptionalField()
  @IsAttributeMap()
  attributes?: Record<string, string | number | boolean>;
}
