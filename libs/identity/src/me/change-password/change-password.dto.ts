import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { PasswordField } from '../../users/dto/user-fields';

export class ChangePasswordDto {
  @ApiProperty({ description: 'Your password now. A wrong one counts towards the sign-in lockout.', minLength: 1, maxLength: 256 })
  @IsString()
  @Length(1, 256)
  current_password: string;

  @ApiProperty({ description: "The new password: the tenant's policy applies, and none of your last five may be reused.", minLength: 1, maxLength: 256 })
  @PasswordField()
  new_password: string;
}
