/**
 * The published package, as `npm pack` makes it: source maps that resolve inside the tarball, no
 * stale build output, the files a user is owed (LICENSE, README, CHANGELOG), a bin that runs.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { promisify } from 'node:util';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { packedProject, repoDir } from '../helpers/packed.js';

const run = promisify(execFile);
const packed = suite('the packed package');

packed('every source map (.js.map and .d.ts.map) points at sources inside the tarball', async () => {
  const { files, packageDir } = await packedProject();
  const inTarball = new Set(files);
  const maps = files.filter((file) => file.endsWith('.map'));
  assert.ok(maps.length > 0, 'no source maps at all: then drop this test, or keep the maps resolving');
  const broken: string[] = [];
  for (const map of maps) {
    const { sources, sourceRoot = '' } = JSON.parse(await readFile(join(packageDir, map), 'utf8')) as { sources: string[]; sourceRoot?: string };
    for (const source of sources) {
      const path = posix.normalize(posix.join(posix.dirname(map), sourceRoot, source));
      if (!inTarball.has(path)) broken.push(`${map} → ${source} (${path} is not in the tarball)`);
    }
    // The compiled file names its map, and the map names the compiled file.
    const compiled = map.slice(0, -'.map'.length);
    assert.ok(inTarball.has(compiled), `${map} has no ${compiled}`);
  }
  assert.equal(broken, [], `source maps that do not resolve:\n${broken.slice(0, 10).join('\n')}`);
});

packed('no stale build output: every compiled file has its source in the tarball', async () => {
  const { files } = await packedProject();
  const inTarball = new Set(files);
  const orphans = files
    .filter((file) => file.startsWith('dist/') && /\.(?:js|d\.ts)$/.test(file))
    .filter((file) => !inTarball.has(file.slice('dist/'.length).replace(/(?:\.d)?\.ts$|\.js$/, '.ts')));
  assert.equal(orphans, [], 'compiled files without a source (a build left over from a renamed file?)');
  assert.ok(!files.some((file) => /^(?:test|fixtures|bench|examples)\//.test(file)), 'tests, fixtures, bench or examples in the tarball');
});

packed('LICENSE (MIT, as package.json says), README.md and CHANGELOG.md are in the tarball', async () => {
  const { files, packageDir } = await packedProject();
  for (const file of ['LICENSE', 'README.md', 'CHANGELOG.md', 'package.json']) assert.ok(files.includes(file), `${file} is not packed`);
  const manifest = JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8')) as { license: string; homepage?: string };
  assert.is(manifest.license, 'MIT');
  assert.match(await readFile(join(packageDir, 'LICENSE'), 'utf8'), /^MIT License\n/);
  assert.is(await readFile(join(packageDir, 'README.md'), 'utf8'), await readFile(join(repoDir, 'README.md'), 'utf8'));
  assert.match(await readFile(join(packageDir, 'CHANGELOG.md'), 'utf8'), /^## \[Unreleased\]$/m);
});

packed('no install-time script in the published manifest (npm 11 lists each for approval in every consumer\'s project): the build runs at prepack', async () => {
  const { packageDir } = await packedProject();
  const manifest = JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  // npm's install lifecycle: these run (or are listed to run) when someone installs the package.
  for (const hook of ['preinstall', 'install', 'postinstall', 'prepare', 'preprepare', 'postprepare']) {
    assert.is(manifest.scripts?.[hook], undefined, `scripts.${hook} would run on install`);
  }
  assert.is(manifest.scripts?.prepack, 'npm run build', 'npm pack and npm publish build first');
});

packed('the bin runs from a fresh project, with nothing but node_modules', async () => {
  const { dir } = await packedProject();
  const bin = join(dir, 'node_modules', '.bin', 'logo-fallback');
  // Rejects on a non-zero exit; `npm pack` leaves the bin's mode to the installer, as npm sets it.
  const { stdout } = await run(bin, ['audit', '--help'], { cwd: dir });
  assert.match(stdout, /^Usage: logo-fallback audit /);
});

packed.run();
