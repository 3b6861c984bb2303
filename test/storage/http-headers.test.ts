/**
 * httpStorage's `headers`: a header that cannot be sent is refused at construction, naming the
 * header, the offending character (code point) and its position — never the value, which is often a
 * credential — and a header that can be sent reaches a real server on 127.0.0.1 as given.
 */
import { validateHeaderName, validateHeaderValue } from 'node:http';
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LogoFallbackError, httpStorage } from '../../src/index.js';
import { startServer } from './servers.js';

const baseUrl = 'http://127.0.0.1:9/media/';

function refusal(headers: unknown): string {
  try {
    httpStorage({ baseUrl, headers: headers as Record<string, string> });
  } catch (error) {
    assert.instance(error, LogoFallbackError, String(error));
    assert.is((error as LogoFallbackError).code, 'INVALID_OPTION');
    return (error as LogoFallbackError).message;
  }
  assert.unreachable(`accepted ${JSON.stringify(headers)}`);
  return '';
}

test('the README\'s pasted "Bearer …": the header, the character, its position and why; not the value', () => {
  const message = refusal({ Authorization: 'Bearer …' });
  assert.match(message, /"headers" has header "Authorization", and its value has U\+2026 "…" at character 8 of 8/);
  assert.match(message, /a header value must be Latin-1 text \(a ByteString: every character U\+0000–U\+00FF\)/);
  assert.match(message, /typographic character, as pasted from formatted text/);

  const secret = refusal({ 'X-Api-Key': 's3cr3t-k3y’' });
  assert.match(secret, /"X-Api-Key".*U\+2019 "’" at character 11 of 11/);
  assert.not.ok(secret.includes('s3cr3t'), 'the value is not in the message');
});

test('other characters a header value cannot hold', () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ 'X-Name': 'O’Brien' }, /"X-Name".*U\+2019 "’" at character 2 of 7.*Latin-1/],
    [{ 'X-Range': '1–5' }, /U\+2013 "–" at character 2 of 3 \(a typographic character/],
    [{ 'X-Quote': '“quoted”' }, /U\+201C "“" at character 1 of 8/],
    // Positions count characters (code points), not UTF-16 units.
    [{ 'X-Emoji': 'a😀b’' }, /U\+1F600 "😀" at character 2 of 4: a header value must be Latin-1/],
    [{ 'X-Cjk': 'ab東京' }, /U\+6771 "東" at character 3 of 4/],
    [{ 'X-Split': 'a\r\nInjected: 1' }, /the control character U\+000D at character 2 of 14.*CR and LF would split the header/],
    [{ 'X-Nul': 'a\u0000' }, /the control character U\+0000 at character 2 of 2/],
    [{ 'X-Del': 'a\u007f' }, /the control character U\+007F at character 2 of 2/],
    [{ 'X-Bell': '\u0007' }, /the control character U\+0007 at character 1 of 1/],
  ];
  for (const [headers, pattern] of cases) assert.match(refusal(headers), pattern, JSON.stringify(headers));
});

test('header names must be tokens; values strings; headers an object', () => {
  assert.match(refusal({ 'X Auth': 'a' }), /the header name "X Auth", which has U\+0020 " " at character 2: a header name is a token/);
  assert.match(refusal({ 'X-A:': 'a' }), /which has U\+003A ":" at character 4/);
  assert.match(refusal({ 'X-Ünicode': 'a' }), /which has U\+00DC "Ü" at character 3/);
  assert.match(refusal({ '': 'a' }), /the header name "", which is empty/);
  assert.match(refusal({ 'X-Retry': 5 }), /header "X-Retry" with a value that is not a string: 5/);
  assert.match(refusal('Authorization: x'), /"headers" must be an object of header names and values/);
  assert.match(refusal([['Authorization', 'x']]), /got an array/);
  assert.match(refusal(new Proxy({}, { ownKeys: () => { throw new Error('trap'); } })), /"headers" could not be read: trap/);
  const getter = Object.defineProperty({}, 'Authorization', { enumerable: true, get: () => { throw new Error('getter'); } });
  assert.match(refusal(getter), /"headers" could not be read: getter/);
});

test('property: a header is accepted exactly when Node\'s http and fetch\'s Headers can both send it', () => {
  const name = fc.oneof(fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}$/), fc.string({ maxLength: 8 }), fc.string({ unit: 'binary', maxLength: 8 }));
  const value = fc.oneof(fc.string({ maxLength: 16 }), fc.string({ unit: 'binary', maxLength: 16 }), fc.string({ unit: fc.integer({ min: 0, max: 0x2030 }).map((c) => String.fromCharCode(c)), maxLength: 16 }));
  fc.assert(
    fc.property(name, value, (headerName, headerValue) => {
      let sendable = true;
      try {
        validateHeaderName(headerName);
        validateHeaderValue(headerName, headerValue);
        new Headers({ [headerName]: headerValue });
      } catch {
        sendable = false;
      }
      let accepted = true;
      try {
        httpStorage({ baseUrl, headers: { [headerName]: headerValue } });
      } catch (error) {
        assert.instance(error, LogoFallbackError);
        accepted = false;
      }
      assert.is(accepted, sendable, `${JSON.stringify(headerName)}: ${JSON.stringify(headerValue)}`);
    }),
    { numRuns: 2000 },
  );
});

test('Latin-1 values and a Headers object reach the server as given', async () => {
  const seen: Array<[string | undefined, string | undefined]> = [];
  const server = await startServer((request, response) => {
    seen.push([String(request.headers['x-name']), request.headers.authorization]);
    response.writeHead(200, { 'Content-Length': '3' }).end();
  });
  try {
    assert.is(await httpStorage({ baseUrl: `${server.origin}/media/`, headers: { 'X-Name': 'Café Müller\u00a0AG', Authorization: 'Bearer t0ken' } }).exists('a.png'), true);
    const headers = new Headers({ 'X-Name': 'Zoë', Authorization: 'Basic YTpi' });
    assert.is(await httpStorage({ baseUrl: `${server.origin}/media/`, headers }).exists('a.png'), true);
    // Node's http sends header strings as Latin-1 bytes, and reads them back the same way.
    assert.equal(seen, [
      ['Café Müller\u00a0AG', 'Bearer t0ken'],
      ['Zoë', 'Basic YTpi'],
    ]);
  } finally {
    await server.close();
  }
});

test.run();
