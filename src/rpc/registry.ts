/**
 * The JSON-RPC method registry: one line per method, with a params validator that also types
 * the handler.
 * @module
 */
import type { Validator } from "./params.ts";

/** Per-call context given to handlers. */
export interface CallContext {
  /** Client address (IP) as seen by the server. */
  readonly client: string;
}

/** A registered method. */
export interface MethodSpec<P = unknown, R = unknown> {
  /** Method name (`snake_case`). */
  readonly name: string;
  /** One-line description (for docs and `rpc_methods`). */
  readonly doc: string;
  /** Validates and types `params`; throws ParamError. */
  readonly params: Validator<P>;
  /** Computes the result (JSON-serialisable; bigint is sent as a decimal string). */
  readonly handler: (params: P, ctx: CallContext) => R | Promise<R>;
}

/**
 * A set of JSON-RPC methods.
 *
 * @example
 * ```ts
 * import { MethodRegistry } from "./registry.ts";
 * import { p } from "./params.ts";
 * const r = new MethodRegistry();
 * r.register("echo", "Returns its input", p.object({ s: p.string() }), ({ s }) => s);
 * console.assert(r.has("echo"));
 * ```
 */
export class MethodRegistry {
  readonly #methods = new Map<string, MethodSpec>();

  /**
   * Registers a method.
   * @param name method name, `[a-z][a-z0-9_]*`
   * @param doc one-line description
   * @param params validator of the params (its output types the handler)
   * @param handler the implementation
   * @throws {RangeError} when the name is malformed
   * @throws {Error} when the name is already registered
   */
  register<P, R>(
    name: string,
    doc: string,
    params: Validator<P>,
    handler: (params: P, ctx: CallContext) => R | Promise<R>,
  ): void {
    if (!/^[a-z][a-z0-9_]{0,63}$/.test(name)) {
      throw new RangeError(`Method name must match [a-z][a-z0-9_]*: got "${name}"`);
    }
    if (this.#methods.has(name)) throw new Error(`Method "${name}" is already registered`);
    this.#methods.set(name, { name, doc, params, handler } as MethodSpec);
  }

  /**
   * @param name method name
   * @returns whether it is registered
   */
  has(name: string): boolean {
    return this.#methods.has(name);
  }

  /**
   * @param name method name
   * @returns the method, or undefined
   */
  get(name: string): MethodSpec | undefined {
    return this.#methods.get(name);
  }

  /** @returns name and doc of every method, sorted by name */
  list(): { name: string; doc: string }[] {
    return [...this.#methods.values()].map((m) => ({ name: m.name, doc: m.doc })).sort((a, b) =>
      a.name < b.name ? -1 : 1
    );
  }
}
