import { DomainError } from '@credence/errors';
import { decodeCursor, encodeCursor, Page, pageOf } from './pagination';

const ids = ['01a21428-2d69-7345-a41f-e66e7b5812e0', '01a21428-2d69-7345-a41f-e66e7b5812e1', '01a21428-2d69-7345-a41f-e66e7b5812e2', '01a21428-2d69-7345-a41f-e66e7b5812e3'];

/** The DomainError decodeCursor throws, failing the test when it throws nothing or something else. */
function refusal(cursor: string): DomainError {
  try {
    decodeCursor(cursor);
  } catch (err) {
    expect(err).toBeInstanceOf(DomainError);
    return err as DomainError;
  }
  throw new Error(`cursor ${JSON.stringify(cursor)} was accepted`);
}

describe('cursors', () => {
  it('round-trip a row id', () => {
    for (const id of ids) expect(decodeCursor(encodeCursor(id))).toBe(id);
  });

  it('are opaque base64url, safe in a query string', () => {
    const c = encodeCursor(ids[0]);
    expect(c).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(c).not.toContain(ids[0]);
    expect(encodeURIComponent(c)).toBe(c);
  });

  it('decode a missing cursor to null (the first page)', () => {
    expect(decodeCursor(undefined)).toBeNull();
    expect(decodeCursor('')).toBeNull();
  });

  it.each([
    ['garbage', 'zzzzzzzz'],
    ['a plain id, not encoded', ids[0]],
    ['an encoded non-UUID', Buffer.from('42').toString('base64url')],
    ['an encoded SQL fragment', Buffer.from("' OR 1=1 --").toString('base64url')],
    ['an encoded upper-case UUID', Buffer.from(ids[0].toUpperCase()).toString('base64url')],
    ['an encoded UUID with a suffix', Buffer.from(`${ids[0]}x`).toString('base64url')],
    ['an encoded UUID with a newline', Buffer.from(`${ids[0]}\n`).toString('base64url')],
    ['an encoded UUID without hyphens', Buffer.from(ids[0].replace(/-/g, '')).toString('base64url')],
    ['a truncated cursor', encodeCursor(ids[0]).slice(0, -4)],
  ])('refuse a forged cursor (%s) with validation.failed naming cursor', (_, cursor) => {
    const err = refusal(cursor);
    expect(err.code).toBe('validation.failed');
    expect(err.status).toBe(400);
    expect(err.details).toEqual([{ field: 'cursor', issue: expect.any(String) }]);
  });
});

describe('pageOf', () => {
  const rows = ids.map((id, i) => ({ id, n: i }));
  const map = (r: { id: string; n: number }) => ({ id: r.id, label: `row ${r.n}` });

  it('gives a next_cursor (of the last row shown) only when more rows were fetched than the limit', () => {
    const page = pageOf(rows.slice(0, 3), 2, map);
    expect(page.data).toEqual([map(rows[0]), map(rows[1])]);
    expect(page.meta.next_cursor).toBe(encodeCursor(ids[1]));
    expect(decodeCursor(page.meta.next_cursor!)).toBe(ids[1]);
  });

  it('gives next_cursor null when exactly the limit was fetched', () => {
    const page = pageOf(rows.slice(0, 2), 2, map);
    expect(page).toEqual({ data: [map(rows[0]), map(rows[1])], meta: { next_cursor: null } });
  });

  it('gives next_cursor null for a short last page and for an empty one', () => {
    expect(pageOf(rows.slice(0, 1), 2, map)).toEqual({ data: [map(rows[0])], meta: { next_cursor: null } });
    expect(pageOf([], 2, map)).toEqual({ data: [], meta: { next_cursor: null } });
  });

  it('walks every row exactly once when pages chain through next_cursor', () => {
    const all = Array.from({ length: 7 }, (_, i) => ({ id: `01a21428-2d69-7345-a41f-e66e7b58120${i}`, n: i }));
    const fetch = (after: string | null, limit: number) => all.filter((r) => after === null || r.id > after).slice(0, limit + 1);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Page<{ id: string; label: string }> = pageOf(fetch(decodeCursor(cursor ?? undefined), 3), 3, map);
      seen.push(...page.data.map((d) => d.id));
      cursor = page.meta.next_cursor;
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toEqual(all.map((r) => r.id));
    expect(pages).toBe(3);
  });
});
