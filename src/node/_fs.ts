/**
 * File-system helpers of `src/node` (`exists` is also exported for the CLI).
 * @module
 */

/**
 * Whether a path exists (following symbolic links).
 * @param path file or directory
 * @returns false only when it is missing
 * @throws {Deno.errors.PermissionDenied} and any other error than NotFound
 */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}
