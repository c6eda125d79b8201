/**
 * Parameter validators for JSON-RPC methods. Each validator checks an `unknown` JSON value and
 * returns it typed, or throws {@linkcode ParamError} naming the parameter path. The handler's
 * parameter type is derived from its validator.
 * @module
 */

/** A bad parameter: the path (e.g. `params.txid`) and what was expected. */
export class ParamError extends Error {
  /** Path of the bad value, e.g. `txid` or `outpoints/3`. */
  readonly path: string;
  /** What was expected, e.g. `32-byte hex string`. */
  readonly expected: string;

  /**
   * @param path where
   * @param expected what is allowed
   */
  constructor(path: string, expected: string) {
    super(`Invalid params: ${path === "" ? "params" : `"${path}"`} must be ${expected}`);
    this.name = "ParamError";
    this.path = path;
    this.expected = expected;
  }
}

/** Validates an unknown JSON value at a path. */
export type Validator<T> = (value: unknown, path: string) => T;

/** The type a validator produces. */
export type Infer<V> = V extends Validator<infer T> ? T : never;

const join = (path: string, k: string | number) => path === "" ? String(k) : `${path}/${k}`;

/** Optional parameter marker: the field may be absent (or null). */
export interface OptionalValidator<T> extends Validator<T | undefined> {
  readonly optional: true;
}

/**
 * Validator combinators. Objects are strict (unknown fields refused); positional array params are
 * mapped onto the object's fields in declaration order.
 *
 * @example
 * ```ts
 * import { p } from "./params.ts";
 * const v = p.object({ txid: p.hex(32), verbose: p.optional(p.boolean()) });
 * console.assert(v({ txid: "00".repeat(32) }, "").txid.length === 64);
 * ```
 */
export const p = {
  /** A string of at most `maxLength` characters, optionally matching a pattern. */
  string(opts: { maxLength?: number; pattern?: RegExp; what?: string } = {}): Validator<string> {
    const max = opts.maxLength ?? 1024;
    return (v, path) => {
      if (typeof v !== "string" || v.length > max || (opts.pattern && !opts.pattern.test(v))) {
        throw new ParamError(path, opts.what ?? `a string of at most ${max} characters`);
      }
      return v;
    };
  },
  /** Lowercase hex of exactly `bytes` bytes (or any length up to `maxBytes` when bytes is 0). */
  hex(bytes: number, maxBytes = 1 << 20): Validator<string> {
    const what = bytes > 0
      ? `a ${bytes}-byte lowercase hex string`
      : `lowercase hex of at most ${maxBytes} bytes`;
    return (v, path) => {
      if (
        typeof v !== "string" || !/^(?:[0-9a-f]{2})*$/.test(v) ||
        (bytes > 0 ? v.length !== bytes * 2 : v.length > maxBytes * 2)
      ) throw new ParamError(path, what);
      return v;
    };
  },
  /** An integer in [min, max] (safe integers only). */
  integer(min = 0, max = Number.MAX_SAFE_INTEGER): Validator<number> {
    return (v, path) => {
      if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min || v > max) {
        throw new ParamError(path, `an integer in ${min}..${max}`);
      }
      return v;
    };
  },
  /** A boolean. */
  boolean(): Validator<boolean> {
    return (v, path) => {
      if (typeof v !== "boolean") throw new ParamError(path, "a boolean");
      return v;
    };
  },
  /** One of the given strings. */
  oneOf<const S extends string>(values: readonly S[]): Validator<S> {
    return (v, path) => {
      if (typeof v !== "string" || !(values as readonly string[]).includes(v)) {
        throw new ParamError(path, `one of ${values.map((x) => `"${x}"`).join(", ")}`);
      }
      return v as S;
    };
  },
  /** An array of at most `maxItems` items. */
  array<T>(item: Validator<T>, maxItems: number): Validator<T[]> {
    return (v, path) => {
      if (!Array.isArray(v) || v.length > maxItems) {
        throw new ParamError(path, `an array of at most ${maxItems} items`);
      }
      return v.map((x, i) => item(x, join(path, i)));
    };
  },
  /** Marks a field optional. */
  optional<T>(inner: Validator<T>): OptionalValidator<T> {
    const f =
      ((v: unknown, path: string) => v === undefined || v === null ? undefined : inner(v, path)) as
        & Validator<T | undefined>
        & { optional: true };
    return Object.assign(f, { optional: true as const });
  },
  /**
   * A strict object of named fields; as top-level params it also accepts a positional array.
   */
  object<S extends Record<string, Validator<unknown>>>(
    shape: S,
  ): Validator<{ [K in keyof S]: Infer<S[K]> }> {
    const keys = Object.keys(shape);
    return (v, path) => {
      let obj: Record<string, unknown>;
      if (Array.isArray(v) && path === "") {
        if (v.length > keys.length) {
          throw new ParamError(
            path,
            `at most ${keys.length} positional parameters (${keys.join(", ")})`,
          );
        }
        obj = Object.fromEntries(v.map((x, i) => [keys[i] as string, x]));
      } else if ((v === undefined || v === null) && path === "") {
        obj = {};
      } else if (typeof v === "object" && v !== null && !Array.isArray(v)) {
        obj = v as Record<string, unknown>;
      } else {
        throw new ParamError(path, "an object");
      }
      for (const k of Object.keys(obj)) {
        if (!Object.hasOwn(shape, k)) {
          throw new ParamError(
            join(path, k),
            `absent (known parameters: ${keys.join(", ") || "none"})`,
          );
        }
      }
      const out: Record<string, unknown> = {};
      for (const k of keys) {
        const validator = shape[k] as Validator<unknown> & { optional?: true };
        const value = obj[k];
        if (value === undefined && validator.optional !== true) {
          throw new ParamError(join(path, k), "present");
        }
        const r = validator(value, join(path, k));
        if (r !== undefined) out[k] = r;
      }
      return out as { [K in keyof S]: Infer<S[K]> };
    };
  },
  /** No parameters: absent, `[]` or `{}`. */
  none(): Validator<Record<string, never>> {
    return (v, path) => {
      if (
        v === undefined || v === null || (Array.isArray(v) && v.length === 0) ||
        (typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 0)
      ) return {};
      throw new ParamError(path, "absent (this method takes no parameters)");
    };
  },
};
