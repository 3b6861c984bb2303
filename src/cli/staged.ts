/**
 * An output that appears only if the audit ends well: it is written to a temporary file while the
 * records are read, then renamed into place (or copied to stdout) by `commit()`, or deleted by
 * `discard()`. The repair outputs use it so that an audit stopped by its brakes (the storage looks
 * unmounted) or by an error leaves no half-written or wrong repair behind.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, type WriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { createWriter, type TextSink, type Writer } from './output.js';

/** A staged output. */
export interface StagedOutput {
  readonly writer: Writer;
  /** Moves the text to its destination. */
  commit(): Promise<void>;
  /** Deletes the text. Safe to call after `commit` (it then does nothing). */
  discard(): Promise<void>;
}

/** A temporary file in `directory`, named so that it sorts beside its destination and is plainly not it. */
function temporaryName(directory: string, base: string): string {
  return path.join(directory, `.${base}.${process.pid}.${randomBytes(4).toString('hex')}.partial`);
}

async function closeStream(stream: WriteStream): Promise<void> {
  stream.end();
  await finished(stream);
}

/**
 * Stages text for `destination`: a file path, or `-` for `stdout`. The temporary file sits beside
 * the destination (so that the rename is atomic), or in the system's temporary directory for stdout.
 * Rejects at once when it cannot be created (a missing directory, no permission).
 */
export async function stageOutput(destination: string, stdout: TextSink): Promise<StagedOutput> {
  const toStdout = destination === '-';
  const file = toStdout ? temporaryName(os.tmpdir(), 'logo-fallback-audit') : temporaryName(path.dirname(path.resolve(destination)), path.basename(destination));
  const stream: WriteStream = (await open(file, 'wx', 0o644)).createWriteStream();
  const writer = createWriter(stream);
  let done = false;
  return {
    writer,
    async commit() {
      if (done) return;
      done = true;
      await writer.flush();
      await closeStream(stream);
      if (!toStdout) {
        await rename(file, destination);
        return;
      }
      try {
        const out = createWriter(stdout);
        for await (const chunk of createReadStream(file, { encoding: 'utf8' })) {
          out.write(chunk as string);
          await out.flush();
        }
      } finally {
        await rm(file, { force: true });
      }
    },
    async discard() {
      if (done) return;
      done = true;
      await closeStream(stream).catch(() => undefined);
      await rm(file, { force: true });
    },
  };
}
