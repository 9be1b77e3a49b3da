import { createWriteStream } from 'node:fs';
import { access, constants, open, rename, rm, stat } from 'node:fs/promises';
import { once } from 'node:events';
import path from 'node:path';
import { UsageError } from './usage-error.js';

export type WriteChunk = (chunk: string) => Promise<unknown> | unknown;

/**
 * Writes `file` whole or not at all: into a temporary file beside it, renamed over it once
 * complete, so a failed command leaves what was there. `what` names the flag in errors.
 */
export async function writeFileWhole<T>(file: string, what: string, produce: (write: WriteChunk) => Promise<T>): Promise<T> {
  if ((await stat(file).catch(() => undefined))?.isDirectory()) throw new UsageError(`${what} ${file} is a directory; name a file in it.`);
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.partial`);
  const handle = await open(temporary, 'wx').catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`${what} ${file}: cannot write there (${describeFsError(error)}).`);
  });
  const out = createWriteStream('', { fd: handle.fd });
  try {
    const result = await produce((chunk) => out.write(chunk) || once(out, 'drain'));
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
    await rename(temporary, file);
    return result;
  } catch (error) {
    out.destroy();
    await rm(temporary, { force: true });
    throw error;
  }
}

/** A file the command reads, checked first, so that its error names it and the flag. */
export async function checkReadableFile(file: string, what: string): Promise<void> {
  const found = await stat(file).catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`${what} ${file}: cannot read it (${describeFsError(error)}).`);
  });
  if (found.isDirectory()) throw new UsageError(`${what} ${file} is a directory; name a file.`);
  await access(file, constants.R_OK).catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`${what} ${file}: cannot read it (${describeFsError(error)}).`);
  });
}

function describeFsError(error: NodeJS.ErrnoException): string {
  if (error.code === 'ENOENT') return 'no such file or directory';
  if (error.code === 'EACCES' || error.code === 'EPERM') return 'permission denied';
  if (error.code === 'ENOTDIR') return 'a part of the path is not a directory';
  return error.code ?? error.message;
}
