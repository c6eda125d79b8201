/**
 * Argument parsers shared by the command-line front ends (phantom-node, phantom-miner and the
 * devnet/testnet scripts), so every program refuses a bad number with the same message.
 * @module
 */
import { InvalidArgumentError } from "commander";

/**
 * A commander argument parser for a decimal integer in `min..max` (digits only: no sign, exponent,
 * spaces or hex, so `--threads 1e3` is refused instead of silently meaning 1000).
 * @param name the flag, named in the error
 * @param min smallest allowed value
 * @param max largest allowed value
 * @returns the parser
 * @throws {InvalidArgumentError} from the parser, naming the flag and the allowed range
 * @example
 * ```ts
 * import { intArg } from "./args.ts";
 * console.assert(intArg("--threads", 1, 256)("4") === 4);
 * ```
 */
export function intArg(name: string, min: number, max: number): (v: string) => number {
  return (v: string): number => {
    if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
      throw new InvalidArgumentError(`${name} expects an integer in ${min}..${max}`);
    }
    return Number(v);
  };
}
