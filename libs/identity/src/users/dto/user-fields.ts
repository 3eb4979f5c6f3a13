import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsEmail, IsString, Length, Matches, MaxLength, ValidateIf } from 'class-validator';

const trim = Transform(({ value }) => (typeof value === 'string' ? value.trim() : value));

/** Absent or null (to clear the field) pass; anything else is validated. */
export const NullableField = () => ValidateIf((_object, value) => value !== undefined && value !== null);

export const EmailField = () => applyDecorators(trim, IsEmail({ allow_display_name: false, allow_ip_domain: false }), MaxLength(254));

/** No `@`: a username can never be mistaken for an e-mail address at sign-in. */
export const USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const UsernameField = () =>
  applyDecorators(trim, IsString(), Matches(USERNAME_PATTERN, { message: 'username must be 1-64 letters, digits or . _ -, starting with a letter or digit' }));

export const DisplayNameField = () => applyDecorators(trim, IsString(), Length(1, 200));

export const PHONE_PATTERN = /^\+[1-9][0-9]{6,14}$/;
export const PhoneField = () => applyDecorators(IsString(), Matches(PHONE_PATTERN, { message: 'phone must be in E.164 form, e.g. +14155550123' }));

/** Only the shape here; the tenant's policy (length, common, reuse) answers user.password_rejected. */
export const PasswordField = () => applyDecorators(IsString(), Length(1, 256));
