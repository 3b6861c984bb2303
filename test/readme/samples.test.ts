/**
 * The README's samples, as a user copies them into a fresh project with the packed package
 * (test/helpers/packed.ts): every `js`/`ts` block type-checks under strict settings; the blocks
 * that claim an output (`// →` comments, an output block, a `console` transcript) run and print
 * it. The conventions are in the README's "Contributing" section; claims.ts reads the claims.
 *
 * The project a sample runs in holds `media/` (fixtures/media: acme.png and globex-logo.png
 * exist), `views/` (fixtures/templates: the sidebar partials) and `fixtures/` (for `console`
 * transcripts), beside node_modules.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { packedProject, repoDir } from '../helpers/packed.js';
import { instrument, matches } from './claims.js';
import { readMarkdown, type CodeBlock } from './markdown.js';

const run = promisify(execFile);
const harness = fileURLToPath(new URL('claims-harness.mjs', import.meta.url));
const serveHarness = fileURLToPath(new URL('serve-harness.mjs', import.meta.url));
const readme = readMarkdown(await readFile(join(repoDir, 'README.md'), 'utf8'));

const SAMPLE_LANGS: Record<string, 'mjs' | 'mts'> = { js: 'mjs', javascript: 'mjs', mjs: 'mjs', ts: 'mts', typescript: 'mts' };
const isSample = (block: CodeBlock) => block.lang in SAMPLE_LANGS && !block.marker?.startsWith('skip');
const samples = readme.blocks.filter(isSample);
/** Output blocks, by the line of the sample they belong to (the block right before them). */
const outputs = new Map<number, CodeBlock>();
readme.blocks.forEach((block, index) => {
  const previous = readme.blocks[index - 1];
  if (block.marker === 'output' && previous !== undefined && isSample(previous)) outputs.set(previous.line, block);
});

const name = (block: CodeBlock) => `line-${block.line}.${SAMPLE_LANGS[block.lang] ?? 'txt'}`;
/** Lines without trailing blanks, and no blank lines at the end. */
const normalise = (text: string) => text.split('\n').map((line) => line.trimEnd()).join('\n').trimEnd();

/** TypeScript samples: strict, as this package's own code. */
const TS_OPTIONS = {
  target: 'ES2022',
  lib: ['ES2023'],
  module: 'NodeNext',
  moduleResolution: 'NodeNext',
  strict: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  noEmit: true,
  skipLibCheck: true,
  types: ['node'],
};
/**
 * JavaScript samples, as `checkJs` sees a JS project: strict (names defined, `string | undefined`
 * not taken for a string) but without `noImplicitAny`, which in JS only complains about untyped
 * packages (Eleventy has no types) and unannotated parameters.
 */
const JS_OPTIONS = { ...TS_OPTIONS, allowJs: true, checkJs: true, noImplicitAny: false };
const TSCONFIGS = {
  'tsconfig.ts.json': { compilerOptions: TS_OPTIONS, include: ['readme-samples/check/*.mts'] },
  'tsconfig.js.json': { compilerOptions: JS_OPTIONS, include: ['readme-samples/check/*.mjs'] },
};

let setUp: Promise<string> | undefined;
/** The packed project with the sample environment and every sample written out, once. */
function project(): Promise<string> {
  setUp ??= (async () => {
    const { dir } = await packedProject();
    await cp(join(repoDir, 'fixtures', 'media'), join(dir, 'media'), { recursive: true });
    await cp(join(repoDir, 'fixtures', 'templates'), join(dir, 'views'), { recursive: true });
    await cp(join(repoDir, 'fixtures'), join(dir, 'fixtures'), { recursive: true });
    await mkdir(join(dir, 'readme-samples', 'check'), { recursive: true });
    await mkdir(join(dir, 'readme-samples', 'run'), { recursive: true });
    for (const sample of samples) await writeFile(join(dir, 'readme-samples', 'check', name(sample)), sample.code);
    for (const [file, config] of Object.entries(TSCONFIGS)) await writeFile(join(dir, file), JSON.stringify(config, null, 2));
    return dir;
  })();
  return setUp;
}

const docs = suite('README');

docs('Contents lists every top-level section, and every #link leads to a heading', () => {
  const anchors = new Set(readme.headings.map((heading) => heading.anchor));
  const contents = readme.headings.find((heading) => heading.text === 'Contents');
  assert.ok(contents, 'no "## Contents" section');
  const next = readme.headings.find((heading) => heading.line > contents.line)?.line ?? Infinity;
  const listed = new Set(readme.anchorLinks.filter((link) => link.line > contents.line && link.line < next).map((link) => link.href));
  const missing = readme.headings.filter((h) => h.level === 2 && h !== contents && !listed.has(h.anchor)).map((h) => `${h.anchor} (line ${h.line})`);
  assert.equal(missing, [], 'sections missing from Contents — add a "- [Title](#anchor)" line');
  const broken = readme.anchorLinks.filter((link) => !anchors.has(link.href)).map((link) => `${link.href} (line ${link.line})`);
  assert.equal(broken, [], 'links to no heading');
});

docs('sample markers are known, each right before a code block, and output blocks follow a sample', () => {
  const unknown = readme.blocks.filter((block) => block.marker !== undefined && !/^(?:skip\b.*\S.*|run|output|serve \/\S*)$/.test(block.marker.replace(/^skip$/, '')));
  assert.equal(unknown.map((block) => `line ${block.line}: ${block.marker}`), [], 'markers are "skip <why>", "run", "output" or "serve /path"');
  assert.equal(readme.blocks.filter((block) => block.marker === 'skip').map((block) => block.line), [], '"skip" needs a reason');
  assert.equal(readme.strayMarkers, [], 'markers that are not right before a code block');
  const orphans = readme.blocks.filter((block) => block.marker === 'output' && ![...outputs.values()].includes(block));
  assert.equal(orphans.map((block) => block.line), [], 'output blocks that do not follow a js/ts sample');
});

docs('a comment that shows a value is a claim written with →, so that it is checked', () => {
  // `// 'data:…'` or `x; // <img …>` reads as a claimed output, but only `// →` is run and compared.
  const looksLikeValue = /(?:^|\s)\/\/\s*(?:['"<[{]|true\b|false\b|\d)/;
  const unmarked = samples.flatMap((sample) =>
    sample.code
      .split('\n')
      .map((line, index) => ({ line, at: sample.line + index }))
      .filter(({ line }) => looksLikeValue.test(line) && !line.includes('// →'))
      .map(({ line, at }) => `README.md:${at}: ${line.trim()}`),
  );
  assert.equal(unmarked, [], 'write these as "// → value"');
});

docs('every js/ts sample type-checks (strict) in a fresh project with the packed package', async () => {
  const dir = await project();
  const tsc = join(dir, 'node_modules', 'typescript', 'bin', 'tsc');
  const check = (config: string) => run(process.execPath, [tsc, '-p', config, '--pretty', 'false'], { cwd: dir }).catch((error: { stdout?: string }) => error);
  const results = await Promise.all(Object.keys(TSCONFIGS).map(check));
  // `readme-samples/check/line-58.mjs(3,5): error TS2304: …` → README line 60.
  const errors = results.flatMap((result) => (result.stdout ?? '').split('\n').filter(Boolean)).map((line) =>
    line.replace(/^readme-samples\/check\/line-(\d+)\.m[jt]s\((\d+),(\d+)\)/, (_, start: string, row: string, column: string) => `README.md:${Number(start) + Number(row) - 1}:${column}`),
  );
  assert.equal(errors, [], `samples that do not compile:\n${errors.join('\n')}`);
});

for (const sample of samples) {
  const output = outputs.get(sample.line);
  const instrumented = instrument(sample.code, name(sample));
  if (instrumented.claims.length === 0 && output === undefined && sample.marker !== 'run') continue;

  docs(`README line ${sample.line} (${sample.lang}) runs and prints what it claims`, async () => {
    const dir = await project();
    const file = join(dir, 'readme-samples', 'run', name(sample));
    const recordFile = `${file}.claims.json`;
    await writeFile(file, instrumented.code);
    const loader = SAMPLE_LANGS[sample.lang] === 'mts' ? ['--import', 'tsx'] : [];
    const env = { ...process.env, README_CLAIMS_OUT: recordFile };
    const result = await run(process.execPath, [...loader, '--import', harness, file], { cwd: dir, env, timeout: 60_000 }).catch((error: Error & { stdout?: string; stderr?: string }) => {
      assert.unreachable(`README line ${sample.line}: the sample failed: ${error.stderr || error.message}`);
      throw error;
    });
    const recorded = JSON.parse(await readFile(recordFile, 'utf8')) as Array<{ id: number; actual: string }>;
    for (const claim of instrumented.claims) {
      const values = recorded.filter((entry) => entry.id === claim.id).map((entry) => entry.actual);
      const at = `README line ${sample.line + claim.line}`;
      assert.ok(values.length > 0, `${at}: the claimed statement never ran`);
      for (const actual of values) assert.ok(matches(claim.expected, normalise(actual)), `${at}: claims\n  ${claim.expected}\nbut it prints\n  ${actual}`);
    }
    if (output !== undefined) {
      assert.ok(matches(normalise(output.code), normalise(result.stdout)), `README line ${output.line}: the output block is not what the sample prints:\n${result.stdout}`);
    }
  });
}

for (const sample of samples.filter((block) => block.marker?.startsWith('serve '))) {
  const path = sample.marker?.slice('serve '.length) ?? '/';
  docs(`README line ${sample.line} (${sample.lang}) serves ${path} with every image loading`, async () => {
    const dir = await project();
    const file = join(dir, 'readme-samples', 'run', `serve-${name(sample)}`);
    const resultFile = `${file}.json`;
    await writeFile(file, sample.code);
    const loader = SAMPLE_LANGS[sample.lang] === 'mts' ? ['--import', 'tsx'] : [];
    const env = { ...process.env, README_SERVE_OUT: resultFile, README_SERVE_PATH: path };
    await run(process.execPath, [...loader, '--import', serveHarness, file], { cwd: dir, env, timeout: 60_000 }).catch((error: Error & { stderr?: string }) => {
      assert.unreachable(`README line ${sample.line}: the sample failed: ${error.stderr || error.message}`);
    });
    const result = JSON.parse(await readFile(resultFile, 'utf8')) as { error?: string; status: number; type: string; images: Array<{ src: string; status: number; type: string }> };
    assert.is(result.error, undefined);
    assert.is(result.status, 200, `GET ${path}`);
    if (!result.type.startsWith('image/')) assert.ok(result.images.length > 0, `GET ${path} has no <img>`);
    const broken = result.images.filter((image) => image.status !== 200 || !image.type.startsWith('image/'));
    assert.equal(broken, [], `README line ${sample.line}: images on ${path} that do not load`);
  });
}

for (const block of readme.blocks.filter((b) => b.lang === 'console' && !b.marker?.startsWith('skip'))) {
  docs(`README line ${block.line} (console) prints what the transcript shows`, async () => {
    const dir = await project();
    const lines = block.code.split('\n');
    const commands = lines.filter((line) => line.startsWith('$ ')).map((line) => line.slice(2));
    const expected = lines.filter((line) => !line.startsWith('$ ')).join('\n');
    assert.ok(commands.length > 0, `README line ${block.line}: a console block without "$ " commands`);
    const env = { ...process.env, PATH: `${join(dir, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`, npm_config_offline: 'true' };
    const { stdout } = await run('bash', ['-c', `exec 2>&1\n${commands.join('\n')}`], { cwd: dir, env, timeout: 60_000 });
    assert.ok(matches(normalise(expected), normalise(stdout)), `README line ${block.line}: the transcript differs; the commands print:\n${stdout}`);
  });
}

docs.run();
