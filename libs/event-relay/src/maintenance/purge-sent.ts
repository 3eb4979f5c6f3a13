import { Client } from 'pg';

const BATCH = 10_000;

/** Deletes outbox rows sent more than keepSeconds ago, in bounded batches. Returns how many. */
export async function purgeSentOutboxRows(client: Client, keepSeconds: number): Promise<number> {
  let total = 0;
  for (;;) {
    const res = await client.query(
      `DELETE FROM platform.outbox WHERE position IN (
         SELECT position FROM platform.outbox
         WHERE created_at < now() - make_interval(secs => $1) AND published_at < now() - make_interval(secs => $1)
         ORDER BY position LIMIT ${BATCH})`,
      [keepSeconds],
    );
    total += res.rowCount ?? 0;
    if ((res.rowCount ?? 0) < BATCH) return total;
  }
}
