import { registerDecorator, ValidationArguments } from 'class-validator';

const KEY = /^[A-Za-z][A-Za-z0-9_]{0,62}$/;
const MAX_KEYS = 50;
const MAX_VALUE_LENGTH = 256;

/** Why `value` is not a valid attribute map, or undefined when it is. */
export function attributeMapProblem(value: unknown, allowNull = false): string | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return 'must be an object';
  const entries = Object.entries(value);
  if (entries.length > MAX_KEYS) return `must have at most ${MAX_KEYS} keys`;
  for (const [key, v] of entries) {
    if (!KEY.test(key)) return `key ${JSON.stringify(key.slice(0, 64))} must match ${KEY.source}`;
    if (v === null && allowNull) continue;
    if (typeof v === 'string' ? v.length > MAX_VALUE_LENGTH : typeof v !== 'number' && typeof v !== 'boolean') {
      return `${key} must be a string (at most ${MAX_VALUE_LENGTH} characters), a number or a boolean${allowNull ? ', or null to remove it' : ''}`;
    }
  }
  return undefined;
}

/** A flat map of user attributes (department, cost centre, ...): scalar values only. `allowNull` lets a PATCH remove keys. */
export function IsAttributeMap(options: { allowNull?: boolean } = {}) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isAttributeMap',
      target: target.constructor,
      propertyName,
      validator: {
        validate: (value: unknown) => attributeMapProblem(value, !!options.allowNull) === undefined,
        defaultMessage: (args: ValidationArguments) => `${args.property} ${attributeMapProblem(args.value, !!options.allowNull)}`,
      },
    });
}
