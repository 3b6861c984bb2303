// Preloaded (node --import) into README samples marked `<!-- readme: serve /path -->`: the first
// server the sample starts listens on a free port of 127.0.0.1 instead of the one written; once it
// listens, GET /path and every same-origin <img src> on the page, write what came back to
// README_SERVE_OUT, and exit.
import net from 'node:net';
import { writeFileSync } from 'node:fs';

const path = process.env.README_SERVE_PATH ?? '/';
const listen = net.Server.prototype.listen;
let started = false;

async function visit(base) {
  const page = await fetch(new URL(path, base));
  const type = page.headers.get('content-type') ?? '';
  const body = type.startsWith('image/') ? '' : await page.text();
  const images = [];
  for (const [, src] of body.matchAll(/<img\b[^>]*?\ssrc="([^"]*)"/g)) {
    if (src.startsWith('data:')) {
      images.push({ src: src.slice(0, 40), status: src.length > 'data:image/svg+xml,'.length ? 200 : 0, type: src.slice(5, src.indexOf(',')) });
      continue;
    }
    const image = await fetch(new URL(src.replaceAll('&amp;', '&'), base));
    images.push({ src, status: image.status, type: image.headers.get('content-type') ?? '' });
    await image.arrayBuffer();
  }
  return { status: page.status, type, images };
}

net.Server.prototype.listen = function (...args) {
  if (started) return listen.apply(this, args);
  started = true;
  const callback = args.find((arg) => typeof arg === 'function');
  this.once('listening', () => {
    const { port } = this.address();
    visit(`http://127.0.0.1:${port}`)
      .then((result) => writeFileSync(process.env.README_SERVE_OUT, JSON.stringify(result)))
      .catch((error) => writeFileSync(process.env.README_SERVE_OUT, JSON.stringify({ error: String(error?.stack ?? error) })))
      .finally(() => process.exit(0));
  });
  return listen.call(this, 0, '127.0.0.1', callback);
};
