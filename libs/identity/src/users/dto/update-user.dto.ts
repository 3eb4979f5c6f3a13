import { IsString, Length } from 'class-validator';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { OptionalField } from '@credence/http';
import { IsAttributeMap } from './attributes';
import { DisplayNameField, EmailField, NullableField, PasswordField, PhoneField, UsernameField } from './user-fields';

/** Partial update. null clears username, display_name and phone; in attributes, null removes a key and other keys merge. */
export class UpdateUserDto {
  @ApiPropertyOptional()
  @OptionalField()
  @EmailField()
  email?: string;

  @ApiPropertyOptional({ nullable: true, type: String })
  @NullableField()
  @UsernameField()
  username?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String })
  @NullableField()
  @DisplayNameField()
  display_name?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String })
  @NullableField()
  @PhoneField()
  phone?: string | null;

  @ApiPropertyOptional({ description: "A new password: the tenant's policy applies, and none of the last five may be reused." })
  @OptionalField()
  @PasswordField()
  password?: string;

  @ApiPropertyOptional({ description: 'Required when changing your own password.' })
  @OptionalField()
  @IsString()
  @Length(1, 256)
  current_password?: string;

  @ApiPropertyOptional({ type: Object, example: { department: 'sales', cost_center: null } })
  @OptionalField()
  @IsAttributeMap({ allowNull: true })
  attributes?: Record<string, string | number | boolean | null>;
}
