/**
 * What the command loads: `--version` and `help` load no audit or doctor, and an audit of the local disk
 * loads neither the avatar code (its Unicode tables cost ~30 ms of start-up) nor the S3 and HTTP
 * drivers. Seen in a child process that names every module it loads.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tempMedia } from '../helpers/media.js';

const run = promisify(execFile);
const PROJECT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = fileURLToPath(new URL('../../src/cli/index.ts', import.meta.url));
const LOG = fileURLToPath(new URL('./module-log.mjs', import.meta.url));

/** The package's own modules (paths under src/, and dependencies by name) a run of the command loads. */
async function loaded(args: string[]): Promise<{ modules: string[]; stdout: string }> {
  const child = await run(process.execPath, ['--import', 'tsx', '--import', LOG, CLI, ...args], { cwd: PROJECT, timeout: 60_000 }).catch(
    (error: { stdout?: string; stderr?: string; code?: number }) => {
      if (error.code === 1) return { stdout: error.stdout ?? '', stderr: error.stderr ?? '' }; // problems listed
      throw error;
    },
  );
  const modules = child.stderr
    .split('\n')
    .filter((line) => line.startsWith('loaded file://'))
    .map((line) => path.relative(PROJECT, fileURLToPath(line.slice('loaded '.length))));
  return { modules, stdout: child.stdout };
}

test('--version loads the command and nothing of the audit or the doctor', async () => {
  const { modules, stdout } = await loaded(['--version']);
  assert.match(stdout, /^\d+\.\d+\.\d+/);
  assert.ok(modules.includes('src/cli/index.ts'), `the log names what is loaded: ${modules.join(', ')}`);
  assert.equal(modules.filter((name) => /^src\/(cli\/(audit-run|doctor|doctor-command)\.ts|storage\/|avatars\/)/.test(name)), []);
});

test('an audit of the local disk loads the fs driver, and neither the avatar code nor the S3 and HTTP drivers', async () => {
  const media = tempMedia({ 'logos/a.png': 'png' });
  try {
    const input = path.join(path.dirname(media.root), 'records.ndjson');
    writeFileSync(input, '{"id":1,"company":"Acme","icon":"logos/a.png"}\n{"id":2,"company":"Gone","icon":"logos/b.png"}\n');
    const { modules, stdout } = await loaded(['audit', '--root', media.root, '--max-missing', '1', input]);
    assert.match(stdout, /logos\/b\.png/, 'the audit ran');
    assert.ok(modules.includes('src/storage/fs.ts') && modules.includes('src/records.ts'), modules.join(', '));
    assert.equal(modules.filter((name) => /^src\/avatars\/|^src\/storage\/(s3|http)|aws4fetch/.test(name)), []);
  } finally {
    media.cleanup();
  }
});

test.run();
