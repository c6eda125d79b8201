/**
 * Data directory ownership: one process per directory, enforced by an exclusive advisory lock
 * (flock) on `<dir>/LOCK`, which holds the owner's PID for operators and error messages.
 *
 * The kernel drops the lock when its holder dies, so a LOCK file left by a crashed node (its PID
 * dead) is stale and is taken over; the previous PID is reported so it can be logged.
 * @module
 */
import { NodeError } from "./errors.ts";

/** Name of the lock file inside a data directory. */
export const LOCK_FILE = "LOCK";

function parsePid(text: string): number | null {
  const m = /^\s*(\d+)\s*$/.exec(text);
  if (m === null) return null;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

/**
 * Whether a process with this PID exists (signal 0 probe).
 * @param pid process id
 * @returns true when it exists (or exists under another user)
 */
export function pidAlive(pid: number): boolean {
  try {
    Deno.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM means the process exists but belongs to someone else.
    if (e instanceof Deno.errors.PermissionDenied) return true;
    return false;
  }
}

/**
 * An acquired data-directory lock. Release it with {@linkcode DataDirLock.release} (idempotent).
 *
 * @example
 * ```ts
 * import { DataDirLock } from "./datadir.ts";
 * const dir = await Deno.makeTempDir();
 * const lock = await DataDirLock.acquire(dir);
 * await lock.release();
 * ```
 */
export class DataDirLock {
  /** The locked directory. */
  readonly dir: string;
  /** PID found in a stale LOCK file that was taken over, else null. */
  readonly stalePid: number | null;
  #file: Deno.FsFile | null;

  private constructor(dir: string, file: Deno.FsFile, stalePid: number | null) {
    this.dir = dir;
    this.#file = file;
    this.stalePid = stalePid;
  }

  /**
   * Creates the directory if needed and takes its lock.
   * @param dir the data directory
   * @returns the held lock
   * @throws {NodeError} DATA_DIR_LOCKED when another live process holds it (its PID in the
   *   data), DATA_DIR_UNUSABLE when the directory cannot be created or written
   */
  static async acquire(dir: string): Promise<DataDirLock> {
    try {
      await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
    } catch (e) {
      throw new NodeError({ code: "DATA_DIR_UNUSABLE", dir, reason: String(e) }, { cause: e });
    }
    const path = `${dir}/${LOCK_FILE}`;
    let file: Deno.FsFile;
    try {
      file = await Deno.open(path, { read: true, write: true, create: true, mode: 0o600 });
    } catch (e) {
      throw new NodeError({ code: "DATA_DIR_UNUSABLE", dir, reason: String(e) }, { cause: e });
    }
    let locked: boolean;
    try {
      locked = await file.tryLock(true);
    } catch (e) {
      file.close();
      throw new NodeError({ code: "DATA_DIR_UNUSABLE", dir, reason: String(e) }, { cause: e });
    }
    const previous = parsePid(await Deno.readTextFile(path).catch(() => ""));
    if (!locked) {
      file.close();
      throw new NodeError({ code: "DATA_DIR_LOCKED", dir, pid: previous });
    }
    const stalePid = previous !== null && previous !== Deno.pid ? previous : null;
    await file.truncate(0);
    await file.seek(0, Deno.SeekMode.Start);
    await file.write(new TextEncoder().encode(`${Deno.pid}\n`));
    await file.syncData();
    return new DataDirLock(dir, file, stalePid);
  }

  /** Whether the lock is still held by this object. */
  get held(): boolean {
    return this.#file !== null;
  }

  /**
   * Removes the PID and releases the lock. The LOCK file itself stays (removing it would race
   * with a process that opened it and is about to lock it).
   */
  async release(): Promise<void> {
    const f = this.#file;
    if (f === null) return;
    this.#file = null;
    try {
      await f.truncate(0);
      await f.unlock();
    } finally {
      f.close();
    }
  }
}
