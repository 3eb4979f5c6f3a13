import { parse, type Filter } from 'scim2-parse-filter';
import { scimError } from '../scim-error';
import { ENTERPRISE_URN, GROUP_URN, USER_URN } from '../scim-schemas';

export type { Filter } from 'scim2-parse-filter';

export type AttributeType = 'string' | 'boolean' | 'dateTime' | 'complex';

/** An attribute a filter, a sort or a PATCH path may name: its type and whether strings compare case-exactly. */
export interface AttributeSpec {
  type: AttributeType;
  caseExact?: boolean;
}

/** Filterable attributes of a resource type, by lower-cased path relative to the resource (enterprise ones under their URN). */
export type AttributeTable = Readonly<Record<string, AttributeSpec>>;

const MAX_FILTER_LENGTH = 2_000;
const MAX_DEPTH = 16;

/**
 * Parses a SCIM filter (RFC 7644 §3.4.2.2) with scim2-parse-filter, bounded first: the parser is
 * recursive, so a long or deeply parenthesised filter is refused before it can exhaust the stack.
 * Every attribute it names must be in `table`; anything else is 400 invalidFilter, never a 500.
 */
export function parseFilter(text: string, table: AttributeTable, prefix = ''): Filter {
  if (text.length > MAX_FILTER_LENGTH) throw scimError('scim.invalid_filter', `The filter is longer than ${MAX_FILTER_LENGTH} characters.`);
  if (nestingOf(text) > MAX_DEPTH) throw scimError('scim.invalid_filter', `The filter nests deeper than ${MAX_DEPTH} levels.`);
  let ast: Filter;
  try {
    ast = parse(text);
  } catch {
    throw scimError('scim.invalid_filter', 'The filter is not valid SCIM filter syntax.');
  }
  if (text.includes('].')) ast = correlate(ast);
  check(ast, table, prefix);
  return ast;
}

/**
 * How deep the filter's parentheses and brackets go. Inside a quoted value they are text: they
 * neither count (a group named "R&D (EMEA)" is not nesting) nor cancel real nesting (a value of
 * ")))" would otherwise let the grouping after it go deeper than the limit).
 */
function nestingOf(text: string): number {
  let depth = 0;
  let deepest = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '\\') i += 1;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '(' || c === '[') deepest = Math.max(deepest, (depth += 1));
    else if (c === ')' || c === ']') depth -= 1;
  }
  return deepest;
}

/**
 * scim2-parse-filter reads `emails[type eq "work"].value eq "x"` as `emails[type eq "work"] and
 * emails.value eq "x"`, which any user with a work e-mail and some other e-mail "x" matches. RFC 7644
 * §3.4.2.2 means one item matching both, so that `and` goes back into the value path. Only filters
 * written with `].` are rewritten; one that also spells the uncorrelated `and` out reads it the same way.
 */
function correlate(f: Filter): Filter {
  if (f.op === 'not') return { ...f, filter: correlate(f.filter) };
  if (f.op !== 'and' && f.op !== 'or') return f;
  const filters = f.filters.map(correlate);
  const [path, sub] = filters;
  if (f.op === 'and' && filters.length === 2 && path.op === '[]' && 'attrPath' in sub && sub.op !== '[]') {
    const parent = `${path.attrPath.toLowerCase()}.`;
    if (sub.attrPath.toLowerCase().startsWith(parent)) {
      return { op: '[]', attrPath: path.attrPath, valFilter: { op: 'and', filters: [path.valFilter, { ...sub, attrPath: sub.attrPath.slice(parent.length) }] } };
    }
  }
  return { ...f, filters };
}

function check(f: Filter, table: AttributeTable, prefix: string): void {
  switch (f.op) {
    case 'and':
    case 'or':
      return f.filters.forEach((g) => check(g, table, prefix));
    case 'not':
      return check(f.filter, table, prefix);
    case '[]': {
      const path = attributeKey(f.attrPath, prefix);
      if (table[path]?.type !== 'complex') throw scimError('scim.invalid_filter', `${f.attrPath} is not a multi-valued attribute that can be filtered.`);
      return check(f.valFilter, table, `${path}.`);
    }
    default: {
      const spec = table[attributeKey(f.attrPath, prefix)];
      if (!spec) throw scimError('scim.invalid_filter', `${f.attrPath} cannot be filtered.`);
      if (f.op === 'pr') return;
      const value = f.compValue;
      if (spec.type === 'boolean' && !(typeof value === 'boolean' && (f.op === 'eq' || f.op === 'ne'))) {
        throw scimError('scim.invalid_filter', `${f.attrPath} is a boolean: compare it with eq or ne and true or false.`);
      }
      if (spec.type !== 'boolean' && typeof value !== 'string' && value !== null) throw scimError('scim.invalid_filter', `${f.attrPath} compares with a string.`);
      if (spec.type === 'dateTime' && typeof value === 'string' && Number.isNaN(Date.parse(value))) {
        throw scimError('scim.invalid_filter', `${f.attrPath} compares with a date-time.`);
      }
      if (spec.type === 'complex' && f.op !== 'eq' && f.op !== 'ne' && f.op !== 'co' && f.op !== 'sw' && f.op !== 'ew') {
        throw scimError('scim.invalid_filter', `${f.attrPath} cannot be ordered.`);
      }
    }
  }
}

const SCHEMA_PREFIXES = [`${USER_URN}:`.toLowerCase(), `${GROUP_URN}:`.toLowerCase()];

/** The table key of a path: lower case, the core schema's URN dropped, the enterprise URN kept as a prefix. */
export function attributeKey(attrPath: string, prefix = ''): string {
  let path = attrPath.toLowerCase();
  for (const p of SCHEMA_PREFIXES) if (path.startsWith(p)) path = path.slice(p.length);
  const enterprise = `${ENTERPRISE_URN.toLowerCase()}:`;
  if (path.startsWith(enterprise)) return `${ENTERPRISE_URN.toLowerCase()}.${path.slice(enterprise.length)}`;
  return `${prefix}${path}`;
}
