/**
 * A symlink swapped in and out under a requested path, in a tight loop, by a child process (atomic
 * renames), while requests hammer the path: the time-of-check to time-of-use race of a server that
 * checks a path and then opens it again. Shared by the app's test and the test through nginx.
 */
import { spawn } from 'node:child_process';

/** Requests per run: enough for the race to be hit many times over. */
export const REQUESTS = 800;
/** The content of the file outside the root: it must never appear in an answer. */
export const SECRET = 'SECRET-OUTSIDE-THE-MEDIA-ROOT\n';

/**
 * Swaps `target` between `a` and `b` (each already a file or symlink of its own) with atomic
 * renames of hard links (`link` works on symlinks too, with no follow), until stdin closes.
 */
export const SWAPPER = `
const fs = require('node:fs');
const [target, a, b] = process.argv.slice(1);
let stop = false;
process.stdin.on('end', () => { stop = true; }).resume();
const swap = (from) => { const tmp = target + '.swap'; try { fs.rmSync(tmp, { force: true, recursive: false }); fs.linkSync(from, tmp); fs.renameSync(tmp, target); } catch {} };
const loop = () => { for (let i = 0; i < 200; i++) { swap(a); swap(b); } if (!stop) setImmediate(loop); else process.exit(0); };
loop();
`;

/** A directory version: `target` alternates between a real folder and a symlink to one outside. */
export const DIR_SWAPPER = `
const fs = require('node:fs');
const [target, real, link] = process.argv.slice(1);
let stop = false;
process.stdin.on('end', () => { stop = true; }).resume();
const loop = () => {
  for (let i = 0; i < 100; i++) {
    try { fs.renameSync(target, real + '.parked'); fs.renameSync(link, target); fs.renameSync(target, link); fs.renameSync(real + '.parked', target); } catch {}
  }
  if (!stop) setImmediate(loop); else process.exit(0);
};
loop();
`;

/** How {@link hammer} sorted the answers. */
export interface SwapCounts {
  /** The real file (or, behind nginx, the app's X-Accel-Redirect for it). */
  real: number;
  /** Not sent: the media route's fallback (307 to the avatar), a 404, or nginx's 403 for a symlink. */
  refused: number;
  /** Answers that held the secret from outside the root: must stay 0. */
  leaked: number;
  /** Anything else, as `STATUS BYTES bytes`. */
  other: string[];
}

/** Requests `url` REQUESTS times, 4 at a time (redirects not followed), and sorts the answers. */
export async function hammer(base: string, url: string, real: Buffer): Promise<SwapCounts> {
  const counts: SwapCounts = { real: 0, refused: 0, leaked: 0, other: [] };
  let sent = 0;
  const worker = async (): Promise<void> => {
    while (sent < REQUESTS) {
      sent++;
      let response: Response;
      let body: Buffer;
      try {
        response = await fetch(new URL(url, base), { redirect: 'manual' });
        body = Buffer.from(await response.arrayBuffer());
      } catch (error) {
        counts.other.push(`no answer: ${(error as Error).message}`);
        continue;
      }
      if (body.includes(SECRET.trim())) counts.leaked++;
      else if (response.status === 200 && (body.equals(real) || (body.length === 0 && response.headers.has('x-accel-redirect')))) counts.real++;
      else if ([307, 403, 404].includes(response.status)) counts.refused++;
      else counts.other.push(`${response.status} ${body.length} bytes`);
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return counts;
}

/** Runs `work` while a child process runs `script` with `args`; stops it afterwards, whatever happens. */
export async function withSwapper<T>(script: string, args: string[], work: () => Promise<T>): Promise<T> {
  const child = spawn(process.execPath, ['-e', script, ...args], { stdio: ['pipe', 'ignore', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    return await work();
  } finally {
    child.stdin.end();
    await exited;
  }
}
