import { evaluateFilter, valuesAt } from '../filter/evaluate-filter';
import { attributeKey, AttributeTable, parseFilter, type Filter } from '../filter/scim-filter';
import { scimError } from '../scim-error';
import { LIST_URN } from '../scim-schemas';

/** The most resources a filter or sort is evaluated over in memory; a larger directory must narrow with an indexed equality. */
export const MAX_SCAN = 10_000;
export const MAX_COUNT = 200;

export interface ListRequest {
  filter: Filter | null;
  startIndex: number;
  count: number;
  sortBy: string | null;
  descending: boolean;
  attributes: string[] | null;
  excluded: string[];
}

function integer(raw: unknown, name: string, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  if (typeof raw !== 'string' || !/^-?\d{1,9}$/.test(raw)) throw scimError('scim.invalid_value', `${name} must be an integer.`);
  return Number(raw);
}

function names(raw: unknown): string[] {
  if (typeof raw !== 'string' || raw === '') return [];
  return raw.split(',').map((a) => attributeKey(a.trim()));
}

/** RFC 7644 §3.4.2 query parameters. startIndex below 1 counts as 1, a negative count as 0 (§3.4.2.4). */
export function listRequest(query: Record<string, unknown>, table: AttributeTable): ListRequest {
  for (const value of Object.values(query)) if (typeof value !== 'string') throw scimError('scim.invalid_value', 'Each query parameter is given once.');
  const sortBy = typeof query.sortBy === 'string' && query.sortBy ? attributeKey(query.sortBy) : null;
  if (sortBy && !table[sortBy]) throw scimError('scim.invalid_value', `${String(query.sortBy).slice(0, 100)} cannot be sorted on.`);
  const order = query.sortOrder ?? 'ascending';
  if (order !== 'ascending' && order !== 'descending') throw scimError('scim.invalid_value', 'sortOrder is ascending or descending.');
  return {
    filter: typeof query.filter === 'string' && query.filter.trim() ? parseFilter(query.filter, table) : null,
    startIndex: Math.max(1, integer(query.startIndex, 'startIndex', 1)),
    count: Math.min(MAX_COUNT, Math.max(0, integer(query.count, 'count', 100))),
    sortBy,
    descending: order === 'descending',
    attributes: query.attributes ? names(query.attributes) : null,
    excluded: names(query.excludedAttributes),
  };
}

/** A top-level equality on a key the store can look up by index, so a filter such as `userName eq "x"` never scans. */
export function narrowing(filter: Filter | null, narrowable: (key: string) => boolean): { key: string; value: string } | null {
  if (!filter) return null;
  if (filter.op === 'eq' && typeof filter.compValue === 'string' && narrowable(attributeKey(filter.attrPath))) {
    return { key: attributeKey(filter.attrPath), value: filter.compValue };
  }
  if (filter.op === 'and') for (const f of filter.filters) if (narrowing(f, narrowable)) return narrowing(f, narrowable);
  return null;
}

function sortValue(resource: unknown, key: string): string {
  const v = valuesAt(resource, key)[0];
  const s = v !== null && typeof v === 'object' ? (v as { value?: unknown }).value : v;
  return s === undefined || s === null ? '' : String(s).toLowerCase();
}

/** Filters, sorts and pages resources already built; the list response of RFC 7644 §3.4.2. */
export function listResponse(resources: Record<string, unknown>[], req: ListRequest, table: AttributeTable, total?: number) {
  let matched = req.filter ? resources.filter((r) => evaluateFilter(req.filter!, r, table)) : resources;
  if (req.sortBy) {
    const key = req.sortBy;
    matched = [...matched].sort((a, b) => sortValue(a, key).localeCompare(sortValue(b, key)) * (req.descending ? -1 : 1));
  }
  const page = total === undefined ? matched.slice(req.startIndex - 1, req.startIndex - 1 + req.count) : matched;
  return {
    schemas: [LIST_URN],
    totalResults: total ?? matched.length,
    startIndex: req.startIndex,
    itemsPerPage: page.length,
    Resources: page.map((r) => project(r, req)),
  };
}

/** `attributes` / `excludedAttributes` at the top level; id, schemas and meta always stay. */
export function project(resource: Record<string, unknown>, req: Pick<ListRequest, 'attributes' | 'excluded'>): Record<string, unknown> {
  if (!req.attributes && !req.excluded.length) return resource;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(resource)) {
    const key = k.toLowerCase();
    const always = key === 'id' || key === 'schemas' || key === 'meta';
    if (!always && req.attributes && !req.attributes.some((a) => a === key || a.startsWith(`${key}.`))) continue;
    if (!always && req.excluded.includes(key)) continue;
    out[k] = v;
  }
  return out;
}
