import type { Filter } from 'scim2-parse-filter';
import { ENTERPRISE_URN } from '../scim-schemas';
import { attributeKey, AttributeTable } from './scim-filter';

type Json = unknown;

/** The values at a lower-cased dotted path of a resource; attribute names match case-insensitively; arrays fan out. */
export function valuesAt(resource: Json, key: string): Json[] {
  let current: Json[] = [resource];
  const parts = key.startsWith('urn:') ? splitUrn(key) : key.split('.');
  for (const part of parts) {
    const next: Json[] = [];
    for (const value of current) {
      if (value === null || typeof value !== 'object') continue;
      for (const item of Array.isArray(value) ? value : [value]) {
        if (item === null || typeof item !== 'object') continue;
        const found = Object.keys(item).find((k) => k.toLowerCase() === part);
        if (found !== undefined) next.push((item as Record<string, Json>)[found]);
      }
    }
    current = next.flatMap((v) => (Array.isArray(v) ? v : [v]));
  }
  return current;
}

const ENTERPRISE_KEY = ENTERPRISE_URN.toLowerCase();

function splitUrn(key: string): string[] {
  if (!key.startsWith(`${ENTERPRISE_KEY}.`)) return [key];
  return [ENTERPRISE_KEY, ...key.slice(ENTERPRISE_KEY.length + 1).split('.')];
}

/** Multi-valued complex attributes (emails) compare through their `value` sub-attribute. */
function comparable(v: Json): Json {
  return v !== null && typeof v === 'object' && 'value' in (v as object) ? (v as { value: Json }).value : v;
}

function compare(op: string, actual: Json, expected: Json, caseExact: boolean, dateTime: boolean): boolean {
  if (expected === null) return op === 'eq' ? actual === null : op === 'ne' ? actual !== null : false;
  if (typeof expected === 'boolean') return op === 'eq' ? actual === expected : op === 'ne' ? actual !== expected : false;
  if (typeof actual !== 'string' || typeof expected !== 'string') return op === 'ne';
  if (dateTime && (op === 'gt' || op === 'ge' || op === 'lt' || op === 'le' || op === 'eq' || op === 'ne')) {
    const [a, b] = [Date.parse(actual), Date.parse(expected)];
    return op === 'gt' ? a > b : op === 'ge' ? a >= b : op === 'lt' ? a < b : op === 'le' ? a <= b : op === 'eq' ? a === b : a !== b;
  }
  const [a, b] = caseExact ? [actual, expected] : [actual.toLowerCase(), expected.toLowerCase()];
  switch (op) {
    case 'eq':
      return a === b;
    case 'ne':
      return a !== b;
    case 'co':
      return a.includes(b);
    case 'sw':
      return a.startsWith(b);
    case 'ew':
      return a.endsWith(b);
    case 'gt':
      return a > b;
    case 'ge':
      return a >= b;
    case 'lt':
      return a < b;
    case 'le':
      return a <= b;
    default:
      return false;
  }
}

/** Whether `resource` matches a parsed, checked filter. Strings compare case-insensitively unless the attribute is caseExact (RFC 7643 §2.2). */
export function evaluateFilter(f: Filter, resource: Json, table: AttributeTable, prefix = ''): boolean {
  switch (f.op) {
    case 'and':
      return f.filters.every((g) => evaluateFilter(g, resource, table, prefix));
    case 'or':
      return f.filters.some((g) => evaluateFilter(g, resource, table, prefix));
    case 'not':
      return !evaluateFilter(f.filter, resource, table, prefix);
    case '[]': {
      const key = attributeKey(f.attrPath, prefix);
      const items = valuesAt(resource, key.slice(prefix.length));
      return items.some((item) => evaluateFilter(f.valFilter, item, table, `${key}.`));
    }
    default: {
      const key = attributeKey(f.attrPath, prefix);
      const spec = table[key];
      const values = valuesAt(resource, key.slice(prefix.length)).map(comparable);
      const present = values.filter((v) => v !== null && v !== undefined && v !== '');
      if (f.op === 'pr') return present.length > 0;
      const expected = f.compValue;
      if (f.op === 'ne') return !present.some((v) => compare('eq', v, expected, !!spec?.caseExact, spec?.type === 'dateTime'));
      if (expected === null) return f.op === 'eq' && present.length === 0;
      return present.some((v) => compare(f.op, v, expected, !!spec?.caseExact, spec?.type === 'dateTime'));
    }
  }
}
