/**
 * Uploads that do not arrive: a client that stalls mid-body is answered 408 with the app's message
 * (the body it sent is dropped), one that trickles is cut off by the request deadline, and one that
 * hangs up is logged in one line — no stack trace. Raw sockets, since fetch always finishes a body.
 * The server's limits are shortened for the test (the defaults are 10 s idle, 60 s per request).
 */
import { connect, type Socket } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UPLOAD_IDLE_TIMEOUT_MS } from '../../examples/demo/upload.js';
import { startTempDemo, type TempDemo } from './start-temp.js';

const BOUNDARY = 'logo-fallback-test';

/** Opens a socket and sends the head of a multipart POST announcing `length` bytes of body. */
function openUpload(demo: TempDemo, length: number): Promise<Socket> {
  const { port } = new URL(demo.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => {
      socket.write(
        `POST /companies/1/logo HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: multipart/form-data; boundary=${BOUNDARY}\r\nContent-Length: ${length}\r\n\r\n` +
          `--${BOUNDARY}\r\nContent-Disposition: form-data; name="logo"; filename="slow.png"\r\nContent-Type: image/png\r\n\r\n\u0089PNG`,
      );
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Everything the server sends until it closes, or what arrived when `ms` ran out (the test's own guard). */
function readUntilClosed(socket: Socket, ms: number): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    let text = '';
    const guard = setTimeout(() => {
      socket.destroy();
      resolve({ text, closed: false });
    }, ms);
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.once('close', () => {
      clearTimeout(guard);
      resolve({ text, closed: true });
    });
    socket.on('error', () => undefined);
  });
}

test('the idle limit is seconds, not minutes', () => {
  assert.ok(UPLOAD_IDLE_TIMEOUT_MS >= 1_000 && UPLOAD_IDLE_TIMEOUT_MS <= 30_000, `${UPLOAD_IDLE_TIMEOUT_MS} ms`);
});

test('a stalled upload is answered 408 with the app\'s message, and the connection closed', async () => {
  const demo = await startTempDemo({}, undefined, { uploadIdle: 300 });
  try {
    const socket = await openUpload(demo, 4 * 1024 * 1024);
    socket.write(Buffer.alloc(64 * 1024, 1)); // some of it, then nothing
    const { text, closed } = await readUntilClosed(socket, 20_000);
    assert.ok(closed, 'the server closed the connection');
    assert.match(text, /^HTTP\/1\.1 408 /);
    assert.match(text, /Acme Corp: The upload stalled: nothing arrived for 0\.3 s\. Try again\. The previous logo is kept\./);
    assert.match(text, /connection: close/i);
    const page = await (await fetch(demo.url)).text();
    assert.match(page, /src="\/media\/base\/company\/icon\/acme\.png"/, 'the previous logo is kept');
  } finally {
    await demo.stop();
  }
});

test('a trickling upload (a byte now and then, never idle long) is cut off by the request deadline', async () => {
  const demo = await startTempDemo({}, undefined, { uploadIdle: 400, request: 1_500, headers: 1_000 });
  try {
    const socket = await openUpload(demo, 1024 * 1024);
    const drip = setInterval(() => socket.writable && socket.write('x'), 100);
    try {
      const { text, closed } = await readUntilClosed(socket, 20_000);
      assert.ok(closed, 'the server closed the connection');
      assert.match(text, /^HTTP\/1\.1 408 /);
    } finally {
      clearInterval(drip);
    }
  } finally {
    await demo.stop();
  }
});

test('a client that hangs up mid-upload is logged in one line, without a stack trace', async () => {
  const demo = await startTempDemo({}, undefined, { uploadIdle: 5_000 });
  const errors: unknown[][] = [];
  const consoleError = console.error;
  console.error = (...args: unknown[]) => errors.push(args);
  try {
    const socket = await openUpload(demo, 2 * 1024 * 1024);
    await new Promise<void>((resolve) => socket.write(Buffer.alloc(100_000, 2), () => resolve()));
    socket.destroy();
    for (let i = 0; i < 100 && demo.warnings.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.is(demo.warnings.length, 1, JSON.stringify(demo.warnings));
    assert.match(demo.warnings[0] ?? '', /^demo: upload of a logo for company 1 aborted: the client closed the connection after \d+ bytes$/);
    assert.equal(errors, [], 'nothing on console.error (no stack trace)');
    assert.is((await fetch(new URL('/healthz', demo.url))).status, 200, 'the app carries on');
  } finally {
    console.error = consoleError;
    await demo.stop();
  }
});

test.run();
