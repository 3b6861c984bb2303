/** The demo's companies, kept in SQLite under DATA_DIR (better-sqlite3: synchronous and small). */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

/** A company row, shaped like Horilla's `base_company` (name in `company`, file key in `icon`). */
export interface Company {
  id: number;
  company: string;
  icon: string | null;
}

/** What the app does with companies. */
export interface CompanyStore {
  list(): Company[];
  get(id: number): Company | undefined;
  add(company: Omit<Company, 'id'> & { id?: number }): Company;
  /** Sets a company's logo; returns the previous key (for `logos.invalidate`). */
  setIcon(id: number, icon: string): string | null;
  /** Whether some company's logo is this storage key: the app's permission check for media. */
  isLogo(key: string): boolean;
  /** The (first) company whose logo is this storage key: the name of the avatar a lost logo falls back to. */
  logoOwner(key: string): Company | undefined;
  count(): number;
  /**
   * Adds `companies` if the table is empty, in one write transaction taken at once (BEGIN
   * IMMEDIATE): replicas starting together on one volume seed it once. Returns whether it did.
   */
  seedIfEmpty(companies: ReadonlyArray<Omit<Company, 'id'> & { id?: number }>): boolean;
  /** Whether the database answers (for /healthz). */
  ping(): boolean;
  close(): void;
}

/** The database file under a data directory. */
export const databaseFile = (dataDir: string): string => path.join(dataDir, 'demo.sqlite');

/** Opens (creating when needed) `<dataDir>/demo.sqlite`. */
export function openCompanies(dataDir: string): CompanyStore {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(databaseFile(dataDir));
  db.pragma('journal_mode = WAL');
  db.exec(`create table if not exists base_company (
    id integer primary key,
    company text not null,
    icon text
  )`);
  const list = db.prepare<[], Company>('select id, company, icon from base_company order by id');
  const get = db.prepare<[number], Company>('select id, company, icon from base_company where id = ?');
  const insert = db.prepare<[number | null, string, string | null], Company>('insert into base_company (id, company, icon) values (?, ?, ?) returning id, company, icon');
  const update = db.prepare<[string, number]>('update base_company set icon = ? where id = ?');
  const logoOwner = db.prepare<[string], Company>('select id, company, icon from base_company where icon = ? order by id limit 1');
  const count = db.prepare<[], { n: number }>('select count(*) as n from base_company');
  const setIcon = db.transaction((id: number, icon: string): string | null => {
    const previous = get.get(id);
    if (previous === undefined) throw new Error(`no company ${id}`);
    update.run(icon, id);
    return previous.icon;
  });
  const seed = db.transaction((companies: ReadonlyArray<Omit<Company, 'id'> & { id?: number }>): boolean => {
    if ((count.get()?.n ?? 0) > 0) return false;
    for (const company of companies) insert.get(company.id ?? null, company.company, company.icon);
    return true;
  });
  return {
    list: () => list.all(),
    get: (id) => get.get(id),
    add: (company) => insert.get(company.id ?? null, company.company, company.icon) as Company,
    setIcon: (id, icon) => setIcon(id, icon),
    isLogo: (key) => logoOwner.get(key) !== undefined,
    logoOwner: (key) => logoOwner.get(key),
    count: () => count.get()?.n ?? 0,
    seedIfEmpty: (companies) => seed.immediate(companies),
    ping: () => {
      try {
        return db.prepare('select 1').get() !== undefined;
      } catch {
        return false;
      }
    },
    close: () => db.close(),
  };
}
