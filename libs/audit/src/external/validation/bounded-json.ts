import { ValidateBy, ValidationOptions } from 'class-validator';

/** NUL, or a surrogate without its pair (with the u flag a lone surrogate is its own code point, category Cs). */
// eslint-disable-next-line no-control-regex -- matching NUL is the point
const UNSTORABLE = /[\u0000\p{Cs}]/u;

export interface JsonLimits {
  /** Nesting below the top object: 1 allows only scalar values in it. */
  maxDepth: number;
  /** Of the value serialised as JSON, in UTF-8 bytes. */
  maxBytes: number;
  /** Keys of one object, items of one array. */
  maxEntries: number;
  maxKeyLength: number;
}

/**
 * Why `value` is not a JSON object within `limits`, or undefined when it is. Walks iteratively and
 * stops at the first excess, so a hostile body costs at most its entries up to that point. Strings
 * and keys must be well-formed UTF-16 without NUL: Postgres jsonb refuses \u0000 and lone surrogates.
 */
export function boundedJsonProblem(value: unknown, limits: JsonLimits): string | undefined {
  if (!isPlainObject(value)) return 'must be a JSON object';
  const stack: { node: unknown; depth: number }[] = [{ node: value, depth: 0 }];
  let budget = limits.maxBytes;
  while (stack.length) {
    const { node, depth } = stack.pop()!;
    if (typeof node === 'string') {
      if (UNSTORABLE.test(node)) return 'strings must not contain NUL or unpaired surrogates';
      budget -= Buffer.byteLength(node);
    } else if (typeof node === 'number') {
      if (!Number.isFinite(node)) return 'numbers must be finite';
      budget -= 24;
    } else if (node === null || typeof node === 'boolean') {
      budget -= 5;
    } else if (Array.isArray(node) || isPlainObject(node)) {
      if (depth > limits.maxDepth) return `must not nest deeper than ${limits.maxDepth} levels`;
      const entries = Array.isArray(node) ? node.map((v) => ['', v] as const) : Object.entries(node);
      if (entries.length > limits.maxEntries) return `an object or array must not have more than ${limits.maxEntries} entries`;
      for (const [key, child] of entries) {
        if (key.length > limits.maxKeyLength) return `keys must not be longer than ${limits.maxKeyLength} characters`;
        if (UNSTORABLE.test(key)) return 'keys must not contain NUL or unpaired surrogates';
        budget -= Buffer.byteLength(key) + 4;
        stack.push({ node: child, depth: depth + 1 });
      }
    } else {
      return 'must hold only JSON values';
    }
    if (budget < 0) return `must not be larger than ${limits.maxBytes} bytes as JSON`;
  }
  return Buffer.byteLength(JSON.stringify(value)) > limits.maxBytes ? `must not be larger than ${limits.maxBytes} bytes as JSON` : undefined;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

export const IsBoundedJsonObject = (limits: JsonLimits, options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isBoundedJsonObject',
      validator: {
        validate: (value) => boundedJsonProblem(value, limits) === undefined,
        defaultMessage: (args) => `${args?.property} ${boundedJsonProblem(args?.value, limits) ?? 'is not valid'}`,
      },
    },
    options,
  );
