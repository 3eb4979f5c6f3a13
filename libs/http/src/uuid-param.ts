import { ArgumentMetadata, ParseUUIDPipe, PipeTransform } from '@nestjs/common';
import { DomainError, ErrorCode } from '@credence/errors';

/**
 * A route's id parameter: a UUID in any case, handed on in lower case (as ids are stored, locked on and
 * published: an id in upper case would put events on another aggregate and take another actor's lock
 * than the same id in lower case); anything else answers `notFound`.
 */
export function uuidParam(notFound: ErrorCode): PipeTransform<string, Promise<string>> {
  const pipe = new ParseUUIDPipe({ exceptionFactory: () => new DomainError(notFound) });
  return { transform: async (value: string, meta: ArgumentMetadata) => (await pipe.transform(value, meta)).toLowerCase() };
}
