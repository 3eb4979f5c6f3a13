import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayUnique, IsArray, IsFQDN, MaxLength } from 'class-validator';

/** A list of e-mail domains: lower-cased, each a fully qualified name, at most 50. */
export function DomainList() {
  return applyDecorators(
    Transform(({ value }) => (Array.isArray(value) ? value.map((d) => (typeof d === 'string' ? d.trim().toLowerCase() : d)) : value)),
    IsArray(),
    ArrayMaxSize(50),
    ArrayUnique(),
    IsFQDN({ require_tld: true, allow_underscores: false }, { each: true }),
    MaxLength(253, { each: true }),
  );
}
