/**
 * First start: the four fixture companies (logo present, file missing, no icon, hostile name) and
 * the fixture logos. Only when the database is empty: media missing later must stay missing, so
 * the demo can show what a lost volume looks like instead of papering over it.
 */
import { cpSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { companies } from '../../fixtures/companies.js';
import type { CompanyStore } from './db.js';

const FIXTURE_MEDIA = fileURLToPath(new URL('../../fixtures/media/', import.meta.url));

/**
 * Seeds an empty database and copies the fixture media into `mediaRoot`. Returns whether it did.
 * Replicas starting at once on one volume both copy (nothing is overwritten) and one seeds.
 */
export function seedOnFirstStart(store: CompanyStore, mediaRoot: string): boolean {
  if (store.count() > 0) return false;
  cpSync(FIXTURE_MEDIA, mediaRoot, { recursive: true, force: false, errorOnExist: false });
  return store.seedIfEmpty(companies);
}
