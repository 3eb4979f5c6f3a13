import { ApiPropertyOptional } from '@nestjs/swagger';
import { NullableField } from '../../users/dto/user-fields';
import { ProfileTextField } from './profile-text';

/**
 * What a user may change about themselves. Sign-in identifiers (email, username, phone) are not
 * here: Credence cannot yet prove that a new address belongs to the user, and a session that could
 * change them could take the account over. Roles, status and attributes are the tenant's to set.
 * Any other field is refused (400), never ignored.
 */
export class UpdateProfileDto {
  @ApiPropertyOptional({ nullable: true, type: String, minLength: 1, maxLength: 200, description: 'null clears it' })
  @NullableField()
  @ProfileTextField()
  display_name?: string | null;
}
