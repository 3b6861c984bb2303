/**
 * What the doctor tests share: a temporary media and data tree owned by uid/gid 65534, the CLI run
 * as that user through `setpriv` (the tests run as root, who may write anywhere), and lookups in
 * its report.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as assert from 'uvu/assert';
import { SENTINEL_PREFIX } from '../../src/cli/doctor-files.js';
import type { DoctorCheck, DoctorReport } from '../../src/cli/doctor.js';

export const NOBODY = 65534;
const ACME = 'fixtures/media/base/company/icon/acme.png';

/** A temporary tree: `media/base/company/icon/acme.png` and `data/`, all owned by 65534 unless told. */
export function tree(): { base: string; media: string; data: string; cleanup(): void } {
  const base = mkdtempSync(path.join(os.tmpdir(), 'logo-fallback-doctor-'));
  chmodSync(base, 0o755);
  const media = path.join(base, 'media');
  const data = path.join(base, 'data');
  mkdirSync(path.join(media, 'base/company/icon'), { recursive: true });
  mkdirSync(data);
  copyFileSync(ACME, path.join(media, 'base/company/icon/acme.png'));
  writeFileSync(path.join(data, 'demo.sqlite'), 'not really a database');
  chownTree(base, NOBODY);
  return { base, media, data, cleanup: () => rmSync(base, { recursive: true, force: true }) };
}

export function chownTree(dir: string, id: number): void {
  chownSync(dir, id, id);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) chownTree(full, id);
    else chownSync(full, id, id);
  }
}

/** Every sentinel left anywhere below `dir` (there must never be one). */
export function sentinels(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((entry) => path.basename(entry).startsWith(SENTINEL_PREFIX));
}

/** Runs the CLI as uid/gid 65534 (the tests run as root, who may write anywhere). */
export function doctorAsNobody(args: string[], stdin = ''): { code: number | null; report: DoctorReport | undefined; stdout: string; stderr: string } {
  const run = spawnSync('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, '--import', 'tsx', 'src/cli/index.ts', 'doctor', ...args], {
    encoding: 'utf8',
    input: stdin,
    env: { ...process.env, HOME: '/nonexistent' },
  });
  let report: DoctorReport | undefined;
  try {
    report = JSON.parse(run.stdout) as DoctorReport;
  } catch {
    report = undefined;
  }
  return { code: run.status, report, stdout: run.stdout, stderr: run.stderr };
}

export const find = (report: DoctorReport | undefined, target: DoctorCheck['target'], check: DoctorCheck['check']): DoctorCheck => {
  const found = report?.checks.find((c) => c.target === target && c.check === check);
  assert.ok(found, `a ${target} ${check} check in ${JSON.stringify(report)}`);
  return found as DoctorCheck;
};
