import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { contrast, initialsAvatar, LogoFallbackError } from '../../src/index.js';
import { avatarFetchHandler, avatarHandler } from '../../src/server/index.js';
import { find, parseXml, svgOfDataUrl, textOf } from '../avatars/xml.js';

const SVG_HEADERS = {
  'content-type': 'image/svg+xml',
  'cache-control': 'public, max-age=31536000, immutable',
  'x-content-type-options': 'nosniff',
};
const NAMES = ['Hewlett-Packard', 'Acme Corp', '株式会社トヨタ', 'محمد علي', '3M Company', 'José de la Cruz', '', '😀'];

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Starts a real server on 127.0.0.1:0; returns a raw-path requester and a closer. */
async function serve(listener: http.RequestListener): Promise<{ request: (path: string, init?: { method?: string; headers?: Record<string, string> }) => Promise<Reply>; close: () => Promise<void> }> {
  const server = http.createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const request = (path: string, init: { method?: string; headers?: Record<string, string> } = {}) =>
    new Promise<Reply>((resolve, reject) => {
      // http.request sends the path as given (no normalising), as a hostile client would.
      const req = http.request({ host: '127.0.0.1', port, path, method: init.method ?? 'GET', headers: init.headers ?? {} }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end();
    });
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return { request, close };
}

const routeUrl = (name: string, options = {}) => initialsAvatar({ ...options, route: '/avatars/' })({ name });
const dataSvg = (name: string, options = {}) => svgOfDataUrl(initialsAvatar(options)({ name }));

test('over a real socket: the route draws the same bytes as the data: URL, with the right headers', async () => {
  const { request, close } = await serve(avatarHandler());
  try {
    for (const options of [{}, { shape: 'circle' as const, size: 34 }, { shape: 'rounded' as const, textColor: '#000000' }]) {
      for (const name of NAMES) {
        const reply = await request(routeUrl(name, options));
        assert.is(reply.status, 200, `${name} ${reply.body}`);
        for (const [header, value] of Object.entries(SVG_HEADERS)) assert.is(reply.headers[header], value, header);
        assert.match(String(reply.headers['content-security-policy']), /default-src 'none'/);
        assert.not.match(String(reply.headers['content-security-policy']), /script-src|unsafe/);
        assert.match(reply.headers.etag ?? '', /^"[0-9a-z]+-[0-9a-z]+"$/, 'a strong ETag');
        assert.is(Number(reply.headers['content-length']), Buffer.byteLength(reply.body));
        assert.is(reply.body, dataSvg(name, options), `${name} ${JSON.stringify(options)}`);
        parseXml(reply.body);
      }
    }
  } finally {
    await close();
  }
});

test('ETag and 304; HEAD answers headers only', async () => {
  const { request, close } = await serve(avatarHandler());
  try {
    const url = routeUrl('Acme Corp');
    const first = await request(url);
    const etag = first.headers.etag as string;
    assert.is((await request(url)).headers.etag, etag, 'stable');
    assert.is.not((await request(routeUrl('Globex'))).headers.etag, etag, 'differs with the picture');
    for (const ifNoneMatch of [etag, `W/${etag}`, `"nope", ${etag}`, '*']) {
      const cached = await request(url, { headers: { 'If-None-Match': ifNoneMatch } });
      assert.is(cached.status, 304, ifNoneMatch);
      assert.is(cached.body, '');
      assert.is(cached.headers.etag, etag);
      assert.is(cached.headers['cache-control'], SVG_HEADERS['cache-control']);
    }
    assert.is((await request(url, { headers: { 'If-None-Match': '"other"' } })).status, 200);
    const head = await request(url, { method: 'HEAD' });
    assert.is(head.status, 200);
    assert.is(head.body, '');
    assert.is(head.headers.etag, etag);
    assert.is(head.headers['content-length'], first.headers['content-length']);
  } finally {
    await close();
  }
});

test('sizes are clamped; malformed parameters get 400 with a plain message; other paths 404', async () => {
  const { request, close } = await serve(avatarHandler());
  try {
    const width = async (path: string) => parseXml((await request(path)).body).attributes.width;
    assert.is(await width('/avatars/AC.svg?size=1'), '16');
    assert.is(await width('/avatars/AC.svg?size=0'), '16');
    assert.is(await width('/avatars/AC.svg?size=100000000000000000000000'), '512');
    assert.is(await width('/avatars/AC.svg'), '64');
    assert.is(textOf(parseXml((await request('/avatars/%E3%83%88.svg?bg=fff&unknown=1')).body)), 'ト');

    for (const path of [
      '/avatars/AC.svg?size=abc', '/avatars/AC.svg?size=-5', '/avatars/AC.svg?size=12.5', '/avatars/AC.svg?size=',
      '/avatars/AC.svg?shape=hexagon', '/avatars/AC.svg?bg=red', '/avatars/AC.svg?bg=%22%3E%3Cscript%3E', '/avatars/AC.svg?fg=zzz',
      '/avatars/ABCD.svg', '/avatars/%3Cscript%3E.svg', '/avatars/%E0%A4.svg', '/avatars/%.svg', '/avatars/A%20B.svg', '/avatars/%F0%9F%98%80.svg',
      `/avatars/${'A'.repeat(5000)}.svg`,
    ]) {
      const reply = await request(path);
      assert.is(reply.status, 400, path);
      assert.is(reply.headers['content-type'], 'text/plain; charset=utf-8');
      assert.is(reply.headers['x-content-type-options'], 'nosniff');
      assert.match(reply.body, /^Bad Request: [^<>]+\n$/, path);
    }
    for (const path of ['/avatars/', '/avatars/.svg', '/avatars/AC.png', '/avatars/a/b.svg', '/avatars/AC.svg/x', '/', '/favicon.ico', '/avatarsAC.svg']) {
      const reply = await request(path);
      assert.is(reply.status, 404, path);
      assert.is(reply.headers['content-type'], 'text/plain; charset=utf-8');
    }
    const post = await request('/avatars/AC.svg', { method: 'POST' });
    assert.is(post.status, 405);
    assert.is(post.headers.allow, 'GET, HEAD');
  } finally {
    await close();
  }
});

test('initials made only of invisible characters get 400, never an invisible picture', async () => {
  const { request, close } = await serve(avatarHandler());
  try {
    const invisible = ['\u200c', '\u200c\u200c', '\u200b', '\u2060', '\ufeff', '\ufe0f', '\ufe00', '\u{e0100}', '\u00ad', '\u200d', '\u3164', '\uffa0', '\u115f', '\u2800', 'A\u200c', '\u200cA', 'A\u200cB', '\u0e40'];
    for (const letters of invisible) {
      const reply = await request(`/avatars/${encodeURIComponent(letters)}.svg`);
      assert.is(reply.status, 400, JSON.stringify(letters));
      assert.match(reply.body, /^Bad Request: /);
    }
    for (const letters of ['م\u200cع', 'กท', 'HC']) assert.is((await request(`/avatars/${encodeURIComponent(letters)}.svg`)).status, 200, letters);
  } finally {
    await close();
  }
});

test('the route enforces the contrast floor whatever colours a URL asks for', async () => {
  const { request, close } = await serve(avatarHandler());
  try {
    const root = parseXml((await request('/avatars/AC.svg?bg=ffff00&fg=ffffff')).body);
    const background = find(root, 'rect')?.attributes.fill as string;
    assert.is(find(root, 'text')?.attributes.fill, '#ffffff');
    assert.ok(contrast(background, '#ffffff') >= 4.5, background);
  } finally {
    await close();
  }
});

test('as middleware: anything outside the route goes to next(); a custom route', async () => {
  const avatars = avatarHandler({ route: '/static/avatars' });
  const { request, close } = await serve((req, res) =>
    avatars(req, res, () => {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('the app');
    }),
  );
  try {
    assert.is((await request('/static/avatars/AC.svg')).status, 200);
    assert.is((await request('/avatars/AC.svg')).body, 'the app');
    assert.is((await request('/')).body, 'the app');
    assert.is((await request('/static/avatars/nope')).status, 404, 'under the route: the route answers');
  } finally {
    await close();
  }
});

test('the fetch handler answers like the Node handler', async () => {
  const fetchHandler = avatarFetchHandler();
  const { request, close } = await serve(avatarHandler());
  try {
    const paths = [routeUrl('Acme Corp'), routeUrl('محمد علي'), '/avatars/AC.svg?size=9999', '/avatars/AC.svg?size=x', '/avatars/ABCD.svg', '/avatars/a/b.svg', '/elsewhere'];
    for (const path of paths) {
      const node = await request(path);
      const response = fetchHandler(new Request(`http://localhost${path}`));
      assert.is(response.status, node.status, path);
      assert.is(await response.text(), node.body, path);
      for (const header of ['content-type', 'etag', 'cache-control', 'x-content-type-options', 'content-security-policy']) {
        assert.is(response.headers.get(header), node.headers[header] ?? null, `${path} ${header}`);
      }
    }
    const url = `http://localhost${routeUrl('Acme Corp')}`;
    const etag = fetchHandler(new Request(url)).headers.get('etag') as string;
    const notModified = fetchHandler(new Request(url, { headers: { 'If-None-Match': etag } }));
    assert.is(notModified.status, 304);
    assert.is(notModified.body, null);
    const head = fetchHandler(new Request(url, { method: 'HEAD' }));
    assert.is(head.status, 200);
    assert.is(head.body, null);
    assert.is(fetchHandler(new Request(url, { method: 'DELETE' })).status, 405);
  } finally {
    await close();
  }
});

test('property: no request path or query gets a server error', () => {
  const handler = avatarFetchHandler();
  const segment = fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom('AC', '%E3%83%88', '%', '%ZZ', '..', '%2F', 'ABCD', '<b>'));
  const query = fc.dictionary(fc.constantFrom('size', 'shape', 'bg', 'fg', 'x'), fc.oneof(fc.string(), fc.integer().map(String), fc.constantFrom('circle', 'fff', '1e3a8a', '1e309')));
  fc.assert(
    fc.property(segment, query, (name, params) => {
      const search = new URLSearchParams(params).toString();
      const response = handler(new Request(`http://localhost/avatars/${encodeURIComponent(name).replaceAll('%25', '%')}.svg?${search}`));
      assert.ok([200, 400, 404].includes(response.status), `${name} ${search}: ${response.status}`);
    }),
    { numRuns: 1000 },
  );
});

test('bad handler options throw at construction', () => {
  for (const options of [{ route: 'avatars/' }, { route: 'https://cdn.example.com/avatars/' }, { size: 2 }, { shape: 'star' }, { fontWeight: 'heavy' }, { textColor: 'white' }]) {
    assert.throws(() => avatarHandler(options as never), (error: unknown) => error instanceof LogoFallbackError && error.code === 'INVALID_OPTION', JSON.stringify(options));
    assert.throws(() => avatarFetchHandler(options as never), (error: unknown) => error instanceof LogoFallbackError, JSON.stringify(options));
  }
});

test.run();
