import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { DomainError, ErrorDetail } from '@credence/errors';

function flatten(errors: ValidationError[], parent = ''): ErrorDetail[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((issue) => ({ field, issue }));
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/** Nest turns a missing or null body into {} before validating; a DTO body must really be a JSON object. */
class StrictValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const isDtoBody = metadata.type === 'body' && typeof metadata.metatype === 'function' && metadata.metatype !== Object;
    if (isDtoBody && (value === null || value === undefined || typeof value !== 'object' || Array.isArray(value))) {
      throw new DomainError('validation.failed', 'The body must be a JSON object.', [{ issue: 'body must be a JSON object' }]);
    }
    return super.transform(value, metadata);
  }
}

/** Validates every body, query and path DTO; unknown fields are refused, never silently dropped. */
export function validationPipe(): ValidationPipe {
  return new StrictValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new DomainError('validation.failed', undefined, flatten(errors)),
  });
}
