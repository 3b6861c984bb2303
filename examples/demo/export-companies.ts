/**
 * Prints the demo's companies as NDJSON (`{"id","company","icon"}` per line), read-only, for
 * `logo-fallback audit -` and `logo-fallback doctor --records -` — in the app container too, which
 * has no sqlite3:
 *
 *   node dist/examples/demo/export-companies.js | logo-fallback audit --root "$MEDIA_ROOT" -
 *
 * Reads DATA_DIR as the app does. Exit status 2 when there is no database there.
 */
import { once } from 'node:events';
import Database from 'better-sqlite3';
import { readConfig } from './config.js';
import { databaseFile } from './db.js';

let db: Database.Database;
try {
  db = new Database(databaseFile(readConfig().dataDir), { readonly: true, fileMustExist: true });
} catch (error) {
  console.error(`export-companies: ${(error as Error).message}`);
  process.exit(2);
}
for (const row of db.prepare('select id, company, icon from base_company order by id').iterate()) {
  // Wait when the pipe is full: memory stays flat however many companies there are.
  if (!process.stdout.write(`${JSON.stringify(row)}\n`)) await once(process.stdout, 'drain');
}
db.close();
