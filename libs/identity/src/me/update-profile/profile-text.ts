import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsString, Length, Matches, ValidateBy } from 'class-validator';

/** No control characters (NUL among them, which Postgres refuses in text). */
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const NO_CONTROL_CHARACTERS = /^[^\u0000-\u001f\u007f-\u009f]*$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Free text a user sets on their own profile: trimmed, 1–200 characters, no control characters
 * and no lone UTF-16 surrogates (they cannot be stored as UTF-8).
 */
export const ProfileTextField = () =>
  applyDecorators(
    Transform(({ value }) => (typeof value === 'string' ? value.trim() : value)),
    IsString(),
    Length(1, 200),
    Matches(NO_CONTROL_CHARACTERS, { message: '$property must not contain control characters' }),
    ValidateBy({
      name: 'isWellFormedText',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && !LONE_SURROGATE.test(value),
        defaultMessage: () => '$property must be well-formed Unicode (no lone surrogates)',
      },
    }),
  );
