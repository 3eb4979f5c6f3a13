import { ValidateBy, ValidationOptions } from 'class-validator';
import { strictIsoInstant } from '@credence/http';

/** The instant lies within [now - maxPastMs, now + maxFutureMs]; a value that is no strict instant is left to IsStrictIsoDate. */
export const IsWithinWindow = (maxPastMs: number, maxFutureMs: number, options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isWithinWindow',
      validator: {
        validate: (value) => {
          const at = strictIsoInstant(value);
          if (at === null) return true;
          const now = Date.now();
          return at >= now - maxPastMs && at <= now + maxFutureMs;
        },
        defaultMessage: (args) => `${args?.property} must lie between ${Math.round(maxPastMs / 86_400_000)} days ago and ${Math.round(maxFutureMs / 60_000)} minutes from now`,
      },
    },
    options,
  );
