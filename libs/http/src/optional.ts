import { ValidateIf } from 'class-validator';

/**
 * Like @IsOptional(), but only an absent field is optional: an explicit `null` is validated,
 * and so refused by the field's other rules, instead of slipping through as "not given".
 */
export const OptionalField = () => ValidateIf((_object, value) => value !== undefined);
