import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DomainError } from '@credence/errors';

/**
 * How deep a JSON body may nest (objects and arrays). Every API body is a handful of levels deep;
 * a very deep one would overflow the stack in the validation pipe's recursive transforms.
 */
export const MAX_JSON_DEPTH = 32;

/** True when the JSON text nests objects or arrays deeper than `max`. One pass, no recursion, no parse. */
export function jsonDepthExceeds(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i += 1; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth += 1;
      if (depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth -= 1;
  }
  return false;
}

/** A NUL, which Postgres refuses in text and jsonb, or a lone UTF-16 surrogate, which is no character at all. */
// eslint-disable-next-line no-control-regex -- matching NUL is the point
const UNSAFE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The path of the first string (value or key) that holds an unsafe character, or null. Iterative. */
export function unsafeStringPath(value: unknown, root = ''): string | null {
  const stack: [unknown, string][] = [[value, root]];
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      if (UNSAFE.test(v)) return path;
    } else if (v !== null && typeof v === 'object') {
      for (const [key, child] of Object.entries(v)) {
        const childPath = path ? `${path}.${key}` : key;
        if (UNSAFE.test(key)) return childPath;
        stack.push([child, childPath]);
      }
    }
  }
  return null;
}

/**
 * A JSON text that holds no `\u` escape, no NUL and no surrogate code unit cannot parse to a string
 * with a NUL or a lone surrogate: the strings of such a body need no walk (a 2 MB sync batch is
 * 120,000 strings). One scan of the text, cheaper than the parse.
 */
// eslint-disable-next-line no-control-regex -- matching NUL is the point
const MAY_HOLD_UNSAFE = /\\u|[\u0000\ud800-\udfff]/;
/** Requests whose JSON body text was seen to be free of what UNSAFE looks for. */
const cleanJsonBodies = new WeakSet<FastifyRequest>();

function refuseUnsafeStrings(request: FastifyRequest): void {
  for (const part of [request.params, request.query, cleanJsonBodies.has(request) ? undefined : request.body]) {
    const field = unsafeStringPath(part);
    if (field !== null) {
      throw new DomainError('validation.failed', undefined, [{ ...(field ? { field } : {}), issue: 'text must not contain NUL characters or unpaired UTF-16 surrogates' }]);
    }
  }
}

/**
 * Guards every route before any guard, pipe or handler runs:
 * - JSON bodies nested deeper than MAX_JSON_DEPTH are refused with 400 request.malformed before they
 *   are parsed (Fastify's own parser still refuses `__proto__` and `constructor.prototype` keys);
 * - a NUL or an unpaired surrogate in any path, query or body string (or body key) is refused with
 *   400 validation.failed. No API field has a use for either; Postgres refuses NUL in text, so
 *   refusing it here, once, keeps every lookup and filter from answering 500.
 */
export function installInputGuards(fastify: FastifyInstance): void {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  // SCIM (RFC 7644 §3.1) sends JSON as application/scim+json; it gets the same parser and guards.
  fastify.addContentTypeParser(['application/json', 'application/scim+json'], { parseAs: 'string' }, (request, body, done) => {
    if (jsonDepthExceeds(body as string, MAX_JSON_DEPTH)) {
      done(new DomainError('request.malformed', `The JSON body is nested deeper than ${MAX_JSON_DEPTH} levels.`), undefined);
      return;
    }
    parseJson(request, body as string, (err, parsed) => {
      if (!err && !MAY_HOLD_UNSAFE.test(body as string)) cleanJsonBodies.add(request);
      done(err, parsed);
    });
  });
  // Callback style: the check never waits, so it needs no promise per request.
  fastify.addHook('preValidation', (request, _reply, done) => {
    try {
      refuseUnsafeStrings(request);
    } catch (err) {
      done(err as Error);
      return;
    }
    done();
  });
}
