import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fileServer, S3RVER_CREDENTIALS, startS3, statusServer } from '../storage/servers.js';
import { problemsOf, runCli } from './run-cli.js';

const acme = readFileSync('fixtures/media/base/company/icon/acme.png');
const files = new Map([['base/company/icon/acme.png', acme], ['base/company/icon/globex-logo.png', acme]]);
const records = 'fixtures/records/companies.ndjson';
const BROKEN = [
  ['3', 'missing'],
  ['5', 'missing'],
  ['6', 'unsafe'],
  ['8', 'unsafe'],
  ['10', 'unsafe'],
  ['11', 'missing'],
];

test('--http: the same records checked with HEAD against a real server', async () => {
  const server = await fileServer(files);
  try {
    const run = await runCli(['audit', '--json', '--http', `${server.origin}/media/`, records]);
    assert.is(run.code, 1, run.stderr);
    assert.equal(problemsOf(run).map(([, id, kind]) => [id, kind]), BROKEN);
    // "/media/…" paths (Horilla's form) are the app's media URL (--base-url, /media/ by default),
    // mapped onto the --http base: checked by their key, not counted as external.
    assert.is(JSON.parse(run.stdout).summary.external, 1);
    assert.ok(server.requests.includes('HEAD /media/base/company/icon/hooli.png'), server.requests.join('\n'));
    assert.ok(server.requests.every((request) => request.startsWith('HEAD /media/base/company/icon/')), server.requests.join('\n'));
    assert.not.ok(server.requests.some((request) => request.includes('..')), 'no request for an unsafe key');
  } finally {
    await server.close();
  }
});

test('--http: a server that fails is a fault, listed as such', async () => {
  const server = await statusServer(500);
  try {
    const run = await runCli(['audit', '--json', '--http', `${server.origin}/media/`, '-'], '{"id":1,"icon":"a.png"}\n');
    assert.is(run.code, 1);
    assert.match(JSON.parse(run.stdout).problems[0].reason, /^fault: http storage: checking "a\.png" got status 500/);
  } finally {
    await server.close();
  }
});

test('--header is sent with every --http check', async () => {
  const server = await fileServer(files);
  try {
    const run = await runCli(['audit', '--http', `${server.origin}/media/`, '--header', 'Authorization: Bearer t0ken', '-'], '{"id":1,"icon":"base/company/icon/acme.png"}\n');
    assert.is(run.code, 0, run.stdout + run.stderr);
  } finally {
    await server.close();
  }
});

test('--s3-bucket: signed HEADs against s3rver, credentials from the environment', async () => {
  const s3 = await startS3(files);
  const saved = { ...process.env };
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey });
  try {
    const run = await runCli(['audit', '--json', '--s3-bucket', s3.bucket, '--s3-endpoint', s3.origin, '--s3-path-style', records]);
    assert.is(run.code, 1, run.stderr);
    // Without --base-url, S3 has no public URL: "/media/…" (id 5) is another site's, external.
    assert.equal(problemsOf(run).map(([, id, kind]) => [id, kind]), BROKEN.filter(([id]) => id !== '5'));
    delete process.env.AWS_SECRET_ACCESS_KEY;
    const noKey = await runCli(['audit', '--s3-bucket', s3.bucket, '--s3-endpoint', s3.origin, records]);
    assert.is(noKey.code, 2);
    assert.match(noKey.stderr, /needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
  } finally {
    process.env = saved;
    await s3.close();
  }
});

test('--s3-bucket, a small audit (below the share brake\'s 20): an empty bucket stops it (exit 3), one with files does not', async () => {
  const empty = await startS3(new Map());
  const full = await startS3(files);
  const saved = { ...process.env };
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey });
  try {
    const input = '{"id": 1, "icon": "base/company/icon/gone.png"}\n{"id": 2, "icon": "base/company/icon/acme.png"}\n';
    const stopped = await runCli(['audit', '--s3-bucket', empty.bucket, '--s3-endpoint', empty.origin, '--s3-path-style', '-'], input);
    assert.is(stopped.code, 3, stopped.stderr);
    assert.match(stopped.stderr, /stopped: 2 checked references are missing and the storage holds no file at all/);
    const one = await runCli(['audit', '--s3-bucket', full.bucket, '--s3-endpoint', full.origin, '--s3-path-style', '-'], input.split('\n')[0] as string);
    assert.is(one.code, 1, `1 missing of 1 in a bucket with files is one broken row: ${one.stderr}`);
    assert.match(one.stdout, /missing 1/);
  } finally {
    process.env = saved;
    await Promise.all([empty.close(), full.close()]);
  }
});

test('remote flags are checked: bad URLs and combinations are bad usage', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['--http', 'ftp://example.org/'], /baseUrl/],
    [['--s3-bucket', 'media'], /needs --s3-endpoint/],
    [['--s3-region', 'eu-west-1'], /need --s3-bucket/],
    [['--s3-bucket', 'media', '--http', 'http://127.0.0.1/'], /cannot be combined/],
    [['--header', 'X: y'], /--http checks only/],
    [['--http', 'http://127.0.0.1/', '--header', 'nocolon'], /Name: value/],
  ];
  for (const [flags, reason] of cases) {
    const run = await runCli(['audit', ...flags, records]);
    assert.is(run.code, 2, flags.join(' '));
    assert.match(run.stderr, reason, flags.join(' '));
  }
});

test.run();
