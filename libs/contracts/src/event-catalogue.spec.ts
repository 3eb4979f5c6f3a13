import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_SCHEMA_VERSION } from './event-versions';

const DOC = join(__dirname, '..', '..', '..', 'docs', 'events.md');

/** An event type as docs/events.md names it in a heading: `<domain>.<entity>[.<verb>]`. */
const EVENT_TYPE = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;

interface DocumentedEvent {
  type: string;
  /** Lines from the heading up to the next heading of the same or a higher level. */
  body: string[];
}

/** The `###` headings of the `## Event types` section, each with the lines of its section. */
function documentedEvents(markdown: string): DocumentedEvent[] {
  const lines = markdown.split(/\r?\n/);
  const events: DocumentedEvent[] = [];
  let inCatalogue = false;
  let inFence = false;
  let current: DocumentedEvent | undefined;
  for (const line of lines) {
    if (/^\s*```/.test(line)) inFence = !inFence;
    const heading = inFence ? null : /^(#{1,6})\s+(.+?)\s*#*\s*$/.exec(line);
    if (!heading) {
      current?.body.push(line);
      continue;
    }
    const level = heading[1].length;
    const text = heading[2].replace(/`/g, '').trim();
    if (level <= 2) {
      inCatalogue = /^event types$/i.test(text);
      current = undefined;
    } else if (inCatalogue && level === 3) {
      if (!EVENT_TYPE.test(text)) throw new Error(`heading "${text}" in "## Event types" is not an event type`);
      current = { type: text, body: [] };
      events.push(current);
    }
  }
  if (!events.length) throw new Error('docs/events.md has no "## Event types" section with ### headings');
  return events;
}

/** The `| version | N |` row of an event's section. */
function versionOf(event: DocumentedEvent): number | undefined {
  for (const line of event.body) {
    const m = /^\|\s*version\s*\|\s*(\d+)\s*\|/i.exec(line.trim());
    if (m) return Number(m[1]);
  }
  return undefined;
}

describe('docs/events.md', () => {
  const documented = documentedEvents(readFileSync(DOC, 'utf8'));
  const types = Object.keys(EVENT_SCHEMA_VERSION).sort();

  it('has a heading for every event type and none for a type that does not exist', () => {
    const headings = documented.map((e) => e.type).sort();
    expect(new Set(headings).size).toBe(headings.length); // no type documented twice
    expect(headings).toEqual(types);
  });

  it.each(documented.map((e) => [e.type, e] as const))('documents the schema version of %s', (type, event) => {
    expect(versionOf(event)).toBe(EVENT_SCHEMA_VERSION[type as keyof typeof EVENT_SCHEMA_VERSION]);
  });
});
