import { randomBytes } from 'node:crypto';
import { access, chmod, constants, open, realpath, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from './usage-error.js';

export type WriteChunk = (chunk: string) => Promise<unknown>;

/**
 * Writes `file` whole or not at all: into a temporary file beside it (a symlink's target), renamed
 * over it once complete with the old file's mode, so a failed command leaves what was there. What
 * is not a regular file (/dev/stdout, a pipe) is written in place. `what` names the flag in errors.
 */
export async function writeFileWhole<T>(file: string, what: string, produce: (write: WriteChunk) => Promise<T>): Promise<T> {
  const target = await realpath(file).catch(() => file);
  const existing = await stat(target).catch(() => undefined);
  if (existing?.isDirectory()) throw new UsageError(`${what} ${file} is a directory; name a file in it.`);
  if (existing && !existing.isFile()) return writeThrough(target, file, what, produce);
  // Random, not the pid alone: containers reuse pids, and a crashed export's leftover must not block the next.
  const temporary = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.partial`);
  const handle = await openForWriting(temporary, 'wx', file, what, existing ? existing.mode & 0o777 : 0o666);
  try {
    const result = await produce(writerOf(handle, `${what} ${file}: could not write it`, 'the file is unchanged'));
    await handle.close();
    if (existing) await chmod(temporary, existing.mode & 0o777);
    await rename(temporary, target);
    return result;
  } catch (error) {
    await handle.close().catch(() => {});
    await rm(temporary, { force: true });
    throw error;
  }
}

async function writeThrough<T>(target: string, file: string, what: string, produce: (write: WriteChunk) => Promise<T>): Promise<T> {
  const handle = await openForWriting(target, 'w', file, what);
  try {
    return await produce(writerOf(handle, `${what} ${file}: could not write it`));
  } finally {
    await handle.close();
  }
}

/** Writes through `handle`; a failed write (a full disk) names the file, not just the system call. */
function writerOf(handle: FileHandle, failure: string, outcome?: string): WriteChunk {
  return (chunk) =>
    handle.write(chunk).catch((error: NodeJS.ErrnoException) => {
      throw new Error(`${failure} (${describeFsError(error)})${outcome ? `; ${outcome}` : ''}.`);
    });
}

/** Opens `target` (`file` as the user named it) for writing; a refusal names the flag and the file. */
function openForWriting(target: string, flags: 'w' | 'wx', file: string, what: string, mode?: number): Promise<FileHandle> {
  return open(target, flags, mode).catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`${what} ${file}: cannot write there (${describeFsError(error)}).`);
  });
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
  if (error.code === 'ENOSPC') return 'no space left on device';
  return error.code ?? error.message;
}
