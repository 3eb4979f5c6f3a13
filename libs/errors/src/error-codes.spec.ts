import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CODES, ErrorCode, statusOf } from './error-codes';

interface DocumentedCode {
  code: string;
  status: number;
  category: string;
}

const DOC = join(__dirname, '..', '..', '..', 'docs', 'errors.md');

const cells = (line: string): string[] =>
  line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split('|')
    .map((c) => c.trim());

/** The rows of the table under the `## Codes` heading of docs/errors.md. */
function documentedCodes(markdown: string): DocumentedCode[] {
  const lines = markdown.split(/\r?\n/);
  const start = lines.findIndex((l) => /^##\s+Codes\s*$/.test(l));
  if (start < 0) throw new Error('docs/errors.md has no "## Codes" section');
  const end = lines.findIndex((l, i) => i > start && /^##\s/.test(l));
  const table = lines.slice(start + 1, end < 0 ? undefined : end).filter((l) => l.trim().startsWith('|'));
  const [header, separator, ...rows] = table;
  if (!header || !separator) throw new Error('the "## Codes" section has no table');
  const columns = cells(header).map((c) => c.toLowerCase());
  const at = (name: string) => {
    const i = columns.indexOf(name);
    if (i < 0) throw new Error(`the codes table has no "${name}" column`);
    return i;
  };
  const [codeAt, statusAt, categoryAt] = [at('code'), at('http status'), at('category')];
  return rows.map((row) => {
    const c = cells(row);
    return { code: c[codeAt].replace(/`/g, ''), status: Number(c[statusAt]), category: c[categoryAt].replace(/`/g, '') };
  });
}

describe('docs/errors.md', () => {
  const documented = documentedCodes(readFileSync(DOC, 'utf8'));

  it('documents exactly the codes of ERROR_CODES', () => {
    const inDoc = documented.map((d) => d.code).sort();
    expect(new Set(inDoc).size).toBe(inDoc.length); // no code listed twice
    expect(inDoc).toEqual(Object.keys(ERROR_CODES).sort());
  });

  it.each(documented.map((d) => [d.code, d] as const))('documents the HTTP status and category of %s', (code, doc) => {
    expect(code in ERROR_CODES).toBe(true);
    expect(doc.status).toBe(statusOf(code as ErrorCode));
    expect(doc.category).toBe(ERROR_CODES[code as ErrorCode].category);
  });
});
