/** A stream entry as the transport writes it: pattern, partition key, JSON data (a CloudEvent for events). */
export interface StreamEntry {
  id: string;
  pattern: string;
  key: string;
  data: string;
  /** The entry's fields as Redis returned them, for entry kinds other than events (RPC requests). */
  raw: string[];
}

export function entryFields(pattern: string, key: string, data: string): string[] {
  return ['p', pattern, 'k', key, 'd', data];
}

/** ioredis returns entries as [id, [field, value, ...]]. Unknown fields are ignored. */
export function decodeEntry([id, fields]: [string, string[]]): StreamEntry {
  const entry: StreamEntry = { id, pattern: '', key: '', data: 'null', raw: fields };
  for (let i = 0; i < fields.length; i += 2) {
    const v = fields[i + 1];
    if (fields[i] === 'p') entry.pattern = v;
    else if (fields[i] === 'k') entry.key = v;
    else if (fields[i] === 'd') entry.data = v;
  }
  return entry;
}
