/** HTTP on 127.0.0.1 for the tests that go through nginx (test/e2e, test/docker). */
import { request } from 'node:http';

/** A GET (or other) on 127.0.0.1 with the raw header list (repeated headers stay visible) and the body as bytes. */
export function http(url: string, options: { method?: string; headers?: Record<string, string | number>; body?: Buffer } = {}): Promise<{ status: number; headers: string[]; body: Buffer; header(name: string): string[] }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers ?? {}, timeout: 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const headers = res.rawHeaders;
        resolve({
          status: res.statusCode ?? 0,
          headers,
          body: Buffer.concat(chunks),
          header: (name) => headers.filter((_, i) => i % 2 === 1 && headers[i - 1]?.toLowerCase() === name.toLowerCase()),
        });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within 30 s`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A multipart form with one file field `logo`, as a browser sends it. */
export function logoForm(file: Buffer, name: string, type = 'image/png'): { body: Buffer; headers: Record<string, string | number> } {
  const boundary = `----logo-fallback-${Date.now()}`;
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="logo"; filename="${name}"\r\nContent-Type: ${type}\r\n\r\n`),
    file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { body, headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': body.length } };
}
