/**
 * Output helper shared by the command-line front ends (private to `src/cli`).
 * @module
 */

const encoder = new TextEncoder();

/**
 * Writes all of `text` (UTF-8) to a synchronous writer: `writeSync` may write fewer bytes than
 * given (pipes), so it loops until everything is out.
 * @param f the writer, e.g. `Deno.stdout`
 * @param text what to write
 */
export function writeAll(f: { writeSync(p: Uint8Array): number }, text: string): void {
  const b = encoder.encode(text);
  let off = 0;
  while (off < b.length) off += f.writeSync(b.subarray(off));
}
