/**
 * The README's Install section names exactly the package's run-time dependencies (package.json
 * `dependencies`), its optional dependencies and its optional peer dependencies, and the package's
 * code loads every run-time and optional dependency it declares (one nobody loads is weight every
 * user installs for nothing). The README's introduction, package.json's description and keywords
 * name every integration the package has; `repository` and `bugs` say where the project lives.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { repoDir } from '../helpers/packed.js';

interface Manifest {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

const manifest = JSON.parse(readFileSync(join(repoDir, 'package.json'), 'utf8')) as Manifest;
const readme = readFileSync(join(repoDir, 'README.md'), 'utf8');
const install = (/^## Install\n([\s\S]*?)^## /m.exec(readme)?.[1] ?? '').replace(/\s+/g, ' ');

/** The backticked names in the Install section's sentence that starts with `lead`, up to its full stop. */
function named(lead: string): string[] {
  const sentence = new RegExp(`${lead}:? (.*?)\\.(?: |$)`).exec(install)?.[1];
  assert.ok(sentence, `the Install section has no sentence "${lead} …"`);
  // Package names only: a command in the sentence (`npm install …`) is not one.
  return [...sentence.matchAll(/`((?:@[\w.-]+\/)?[\w.-]+)`/g)].map((match) => match[1] as string).sort();
}

test('Install names the run-time, optional and optional peer dependencies of package.json', () => {
  assert.equal(named('Run-time dependencies'), Object.keys(manifest.dependencies ?? {}).sort());
  assert.equal(named('Optional dependency'), Object.keys(manifest.optionalDependencies ?? {}).sort());
  const peers = Object.keys(manifest.peerDependencies ?? {});
  for (const peer of peers) {
    assert.ok(manifest.peerDependenciesMeta?.[peer]?.optional === true, `${peer} is an optional peer`);
    const word = new RegExp(`(?<![\\w@/-])${peer.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(?![\\w/-])`);
    assert.ok(word.test(install), `the Install section names the peer dependency ${peer}`);
  }
});

test('every run-time and optional dependency is loaded by the package\'s code', () => {
  const sources = ['src', 'adapters'].flatMap((dir) =>
    readdirSync(join(repoDir, dir), { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts'))
      .map((file) => readFileSync(join(repoDir, dir, file), 'utf8')),
  );
  for (const dependency of [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.optionalDependencies ?? {})]) {
    const loads = new RegExp(`(?:from |import\\(|require\\w*\\()'${dependency.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(?:/[^']*)?'`);
    assert.ok(sources.some((source) => loads.test(source)), `${dependency} is declared in "dependencies" but nothing in src/ or adapters/ loads it`);
  }
});

/** Each optional peer as people write it. */
const DISPLAY: Record<string, string> = {
  nunjucks: 'Nunjucks',
  handlebars: 'Handlebars',
  liquidjs: 'LiquidJS',
  '@11ty/eleventy': 'Eleventy',
  ejs: 'EJS',
  pug: 'Pug',
  eta: 'Eta',
  unstorage: 'unstorage',
  redis: 'Redis',
};

test('the introduction, description and keywords name every integration; repository and bugs are set', () => {
  const intro = (/^# logo-fallback\n\n([\s\S]*?)\n## /m.exec(readme)?.[1] ?? '').replace(/\s+/g, ' ');
  const full = JSON.parse(readFileSync(join(repoDir, 'package.json'), 'utf8')) as Manifest & {
    description: string;
    keywords: string[];
    repository: { type: string; url: string };
    bugs: { url: string };
  };
  for (const peer of Object.keys(manifest.peerDependencies ?? {})) {
    const name = DISPLAY[peer];
    assert.ok(name, `${peer}: add how people write it to DISPLAY`);
    assert.ok(intro.includes(name), `the README's introduction names ${name}`);
    assert.ok(full.description.toLowerCase().includes(name.toLowerCase()) || peer === 'redis', `the description names ${name}`);
    assert.ok(full.keywords.includes(peer.replace('@11ty/', '')), `the keywords hold ${peer}`);
  }
  for (const part of ['media route', 'PNG', 'logo-fallback audit', 'logo-fallback doctor', 'S3', 'HTTP/CDN']) assert.ok(intro.includes(part), `the introduction names ${part}`);
  assert.equal(full.repository, { type: 'git', url: 'git+https://github.com/logo-fallback/logo-fallback.git' });
  assert.equal(full.bugs, { url: 'https://github.com/logo-fallback/logo-fallback/issues' });
  const unreleased = /^## \[Unreleased\]\n([\s\S]*?)(?=^## |$(?![\s\S]))/m.exec(readFileSync(join(repoDir, 'CHANGELOG.md'), 'utf8'))?.[1] ?? '';
  assert.match(unreleased.replace(/\s+/g, ' '), /https:\/\/github\.com\/logo-fallback\/logo-fallback, where the project will be published/);
});

test.run();
