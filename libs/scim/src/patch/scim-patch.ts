import { evaluateFilter } from '../filter/evaluate-filter';
import { AttributeTable, parseFilter, type Filter } from '../filter/scim-filter';
import { scimError } from '../scim-error';
import { ENTERPRISE_URN, GROUP_URN, PATCH_URN, USER_URN } from '../scim-schemas';

type Obj = Record<string, unknown>;
type Op = 'add' | 'replace' | 'remove';

const MAX_OPERATIONS = 1_000;
const PATH = /^([A-Za-z][\w$-]*(?:\.[A-Za-z][\w$-]*)?)(?:\[(.+)\])?(?:\.([A-Za-z][\w$-]*))?$/;
const READ_ONLY = new Set(['id', 'meta', 'groups', 'schemas']);

/**
 * Applies an RFC 7644 §3.5.2 PatchOp to a copy of `resource` and returns it; the caller then reads it
 * as a whole resource (same checks as a PUT). Operations on `unkept` attributes (the resource type's
 * schema has them, Credence does not keep them) change nothing. Takes what real clients send: `op` in any case (Entra
 * ID's "Replace"), no `path` with an object of attribute paths (dotted, URN-prefixed or filtered),
 * `members` removals by value list or by `members[value eq "..."]` (Okta, Entra ID), and a
 * `emails[type eq "work"].value` replace that adds the item when none matches.
 */
export function applyPatch(resource: Obj, body: unknown, table: AttributeTable, unkept: ReadonlySet<string> = new Set()): Obj {
  const b = body as { schemas?: unknown; Operations?: unknown; operations?: unknown } | null;
  if (!b || typeof b !== 'object' || !Array.isArray(b.schemas) || !b.schemas.includes(PATCH_URN)) {
    throw scimError('scim.invalid_syntax', `A PATCH body names the schema ${PATCH_URN}.`);
  }
  const ops = b.Operations ?? b.operations;
  if (!Array.isArray(ops) || ops.length === 0 || ops.length > MAX_OPERATIONS) throw scimError('scim.invalid_syntax', `Operations must hold 1 to ${MAX_OPERATIONS} operations.`);
  const out = structuredClone(resource);
  for (const raw of ops) {
    const o = raw as { op?: unknown; path?: unknown; value?: unknown } | null;
    const op = typeof o?.op === 'string' ? o.op.toLowerCase() : '';
    if (op !== 'add' && op !== 'replace' && op !== 'remove') throw scimError('scim.invalid_syntax', 'op must be add, replace or remove.');
    if (o!.path === undefined || o!.path === null || o!.path === '') {
      if (op === 'remove') throw scimError('scim.no_target', 'remove needs a path.');
      if (!o!.value || typeof o!.value !== 'object' || Array.isArray(o!.value)) throw scimError('scim.invalid_value', `${op} without a path takes an object value.`);
      for (const [key, value] of Object.entries(o!.value as Obj)) applyAt(out, op, key, value, table, unkept);
    } else {
      if (typeof o!.path !== 'string') throw scimError('scim.invalid_path', 'path must be a string.');
      applyAt(out, op, o!.path, o!.value, table, unkept);
    }
  }
  return out;
}

function keyIn(o: Obj, name: string): string {
  return Object.keys(o).find((k) => k.toLowerCase() === name.toLowerCase()) ?? name;
}

function applyAt(resource: Obj, op: Op, rawPath: string, value: unknown, table: AttributeTable, unkept: ReadonlySet<string>): void {
  let container = resource;
  let path = rawPath;
  let tablePrefix = '';
  const lower = path.toLowerCase();
  for (const urn of [USER_URN, GROUP_URN]) if (lower.startsWith(`${urn.toLowerCase()}:`)) path = path.slice(urn.length + 1);
  if (lower === ENTERPRISE_URN.toLowerCase()) {
    // A whole extension object (no-path replace with {"urn:...:User": {...}}): each of its attributes in turn.
    if (op === 'remove' || !value || typeof value !== 'object') throw scimError('scim.invalid_path', `${ENTERPRISE_URN} takes an object of its attributes.`);
    for (const [k, v] of Object.entries(value as Obj)) applyAt(resource, op, `${ENTERPRISE_URN}:${k}`, v, table, unkept);
    return;
  }
  if (lower.startsWith(`${ENTERPRISE_URN.toLowerCase()}:`)) {
    const key = keyIn(resource, ENTERPRISE_URN);
    resource[key] ??= {};
    container = resource[key] as Obj;
    path = path.slice(ENTERPRISE_URN.length + 1);
    tablePrefix = `${ENTERPRISE_URN.toLowerCase()}.`;
  }
  const m = PATH.exec(path);
  if (!m) throw scimError('scim.invalid_path', `${rawPath.slice(0, 200)} is not a valid attribute path.`);
  const [, attrPath, filterText, sub] = m;
  const [first, second] = attrPath.split('.');
  // Okta repeats the resource's own id in a no-path replace: unchanged, so nothing to do.
  if (first.toLowerCase() === 'id' && !tablePrefix && value === resource.id) return;
  if (READ_ONLY.has(first.toLowerCase()) && !tablePrefix) throw scimError('scim.mutability', `${first} cannot be changed.`);
  // POST and PUT drop these; Entra ID's default mappings patch them (phoneNumbers[type eq "work"].value, ...).
  if (!tablePrefix && (unkept.has(first.toLowerCase()) || unkept.has(attrPath.toLowerCase()))) return;
  if (!table[`${tablePrefix}${attrPath.toLowerCase()}`] && !table[`${tablePrefix}${first.toLowerCase()}`]) {
    throw scimError('scim.invalid_path', `${rawPath.slice(0, 200)} names no attribute that can be changed.`);
  }
  if (second !== undefined) {
    if (filterText) throw scimError('scim.invalid_path', `${rawPath.slice(0, 200)} is not a valid attribute path.`);
    const key = keyIn(container, first);
    if (op === 'remove' && !container[key]) return;
    if (!container[key] || typeof container[key] !== 'object') container[key] = {};
    setPlain(container[key] as Obj, op, second, value);
    return;
  }
  const key = keyIn(container, first);
  if (filterText !== undefined) {
    const filter = parseFilter(filterText, table, `${tablePrefix}${first.toLowerCase()}.`);
    return applyFiltered(container, key, op, filter, sub, value, table, `${tablePrefix}${first.toLowerCase()}.`);
  }
  if (Array.isArray(container[key]) || (Array.isArray(value) && table[`${tablePrefix}${first.toLowerCase()}`]?.type === 'complex')) {
    return setMultiValued(container, key, op, value);
  }
  setPlain(container, op, key, value);
}

function setPlain(container: Obj, op: Op, key: string, value: unknown): void {
  const k = keyIn(container, key);
  if (op === 'remove') delete container[k];
  else if (value && typeof value === 'object' && !Array.isArray(value) && container[k] && typeof container[k] === 'object' && !Array.isArray(container[k])) {
    Object.assign(container[k] as Obj, value);
  } else container[k] = value;
}

function itemValue(v: unknown): unknown {
  return v && typeof v === 'object' ? (v as Obj).value : v;
}

function setMultiValued(container: Obj, key: string, op: Op, value: unknown): void {
  const current = Array.isArray(container[key]) ? (container[key] as unknown[]) : [];
  const given = value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];
  if (op === 'replace') container[key] = given;
  else if (op === 'add') {
    const known = new Set(current.map(itemValue));
    container[key] = [...current, ...given.filter((v) => !known.has(itemValue(v)))];
  } else if (given.length) {
    // Entra ID and Okta remove members by listing them in `value`.
    const gone = new Set(given.map(itemValue));
    container[key] = current.filter((v) => !gone.has(itemValue(v)));
  } else delete container[key];
}

function applyFiltered(container: Obj, key: string, op: Op, filter: Filter, sub: string | undefined, value: unknown, table: AttributeTable, prefix: string): void {
  const items = Array.isArray(container[key]) ? (container[key] as Obj[]) : [];
  const hit = (item: Obj) => item !== null && typeof item === 'object' && evaluateFilter(filter, item, table, prefix);
  if (op === 'remove') {
    if (sub) items.filter(hit).forEach((item) => delete item[keyIn(item, sub)]);
    else container[key] = items.filter((item) => !hit(item));
    return;
  }
  const matched = items.filter(hit);
  if (matched.length) {
    for (const item of matched) {
      if (sub) item[keyIn(item, sub)] = value;
      else if (value && typeof value === 'object') Object.assign(item, value);
    }
    return;
  }
  // Nothing matched `emails[type eq "work"].value`: the item is created from the filter's equality.
  if (filter.op !== 'eq' || typeof filter.compValue !== 'string') throw scimError('scim.no_target', 'The path filter matched no value.');
  const created: Obj = { [filter.attrPath]: filter.compValue };
  if (sub) created[sub] = value;
  else if (value && typeof value === 'object') Object.assign(created, value);
  container[key] = [...items, created];
}
