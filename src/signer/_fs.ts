/**
 * Durable file helpers: atomic replace with fsync, and owner-only permission checks.
 * @module
 */

/**
 * Writes `data` to `path` atomically: a temporary file in the same directory is written with
 * mode 0600, fsync'd, renamed over `path`, and the directory is fsync'd so the rename survives a
 * crash. Readers see either the old or the new content, never a mix.
 */
export async function writeFileAtomic(path: string, data: Uint8Array): Promise<void> {
  const dir = dirname(path);
  const tmp = `${path}.tmp-${crypto.randomUUID()}`;
  const file = await Deno.open(tmp, { write: true, createNew: true, mode: 0o600 });
  try {
    let off = 0;
    while (off < data.length) off += await file.write(data.subarray(off));
    await file.sync();
  } finally {
    file.close();
  }
  try {
    await Deno.chmod(tmp, 0o600);
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {
      // Best effort cleanup; the original error below is what the caller needs.
    });
    throw e;
  }
  await syncDir(dir);
}

async function syncDir(dir: string): Promise<void> {
  let d: Deno.FsFile;
  try {
    d = await Deno.open(dir, { read: true });
  } catch {
    // Some platforms (Windows) cannot open a directory; the rename is then as durable as the OS
    // makes it and there is nothing more we can do.
    return;
  }
  try {
    await d.sync();
  } catch {
    // fsync on a directory handle is unsupported on some filesystems; see above.
  } finally {
    d.close();
  }
}

/** Directory part of a path ("." when there is none). */
export function dirname(path: string): string {
  const i = path.lastIndexOf("/");
  if (i < 0) return ".";
  if (i === 0) return "/";
  return path.slice(0, i);
}

/** Permission bits of a file, or null on platforms without POSIX modes. */
export async function fileMode(path: string): Promise<number | null> {
  const st = await Deno.stat(path);
  return st.mode === null ? null : st.mode & 0o777;
}
