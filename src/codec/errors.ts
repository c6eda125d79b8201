/**
 * Typed errors of the codec.
 * @module
 */

/** Why a byte string could not be decoded (docs/spec/codec.md §7). */
export type CodecErrorCode =
  /** The input ended inside a field. */
  | "TRUNCATED"
  /** Bytes remain after the object. */
  | "TRAILING_BYTES"
  /** The whole input is larger than the object's MAX_*_BYTES limit. */
  | "INPUT_TOO_LARGE"
  /** A varint has a redundant trailing zero group. */
  | "NON_MINIMAL_VARINT"
  /** A varint does not fit in 64 bits. */
  | "VARINT_OVERFLOW"
  /** A length or count is above its MAX_* limit or below its minimum. */
  | "LENGTH_OUT_OF_RANGE"
  /** A version byte no decoder knows. */
  | "UNKNOWN_VERSION"
  /** A union tag no decoder knows. */
  | "UNKNOWN_TAG"
  /** A number is outside the range its field allows (amount above the cap, seat >= 64...). */
  | "OUT_OF_RANGE"
  /** A structural rule is broken: unsorted or duplicate set, zero self-parent with seq > 0... */
  | "NOT_CANONICAL";

/** Extra data of a {@linkcode CodecError}. */
export interface CodecErrorData {
  /** The offending value, when it is a number. */
  readonly value?: number | bigint;
  /** The limit it broke, when there is one. */
  readonly limit?: number | bigint;
}

/**
 * A byte string is not the canonical encoding of the object being decoded. It is the only error a
 * decoder throws for any input byte string.
 *
 * @example
 * ```ts
 * import { CodecError, decodeOutPoint } from "./mod.ts";
 * try {
 *   decodeOutPoint(new Uint8Array(3));
 * } catch (e) {
 *   if (e instanceof CodecError) console.log(e.code, e.path); // "TRUNCATED" "txId"
 * }
 * ```
 */
export class CodecError extends Error {
  /** What went wrong. */
  readonly code: CodecErrorCode;
  /** Value and limit, when they apply. */
  readonly data: CodecErrorData;
  /** Human detail, e.g. `non-minimal varint`. */
  readonly detail: string;
  #path: string[];
  #object: string;

  /**
   * @param code What went wrong.
   * @param detail Human detail shown after the path.
   * @param data Value and limit, when they apply.
   */
  constructor(code: CodecErrorCode, detail: string, data: CodecErrorData = {}) {
    super(detail);
    this.name = "CodecError";
    this.code = code;
    this.detail = detail;
    this.data = data;
    this.#path = [];
    this.#object = "";
    this.#render();
  }

  /** Slash-separated field path from the root object, e.g. `inputs/3/prevout/index`. */
  get path(): string {
    return this.#path.join("/");
  }

  /** Name of the object being decoded, e.g. `Tx`. */
  get object(): string {
    return this.#object;
  }

  /** @internal Prepends a path segment while the error unwinds through composite decoders. */
  _at(segment: string | number): this {
    this.#path.unshift(String(segment));
    this.#render();
    return this;
  }

  /** @internal Names the root object. */
  _in(object: string): this {
    if (this.#object === "") {
      this.#object = object;
      this.#render();
    }
    return this;
  }

  #render(): void {
    const head = this.#object === "" ? "Cannot decode" : `Cannot decode ${this.#object}`;
    const path = this.#path.length > 0 ? `: ${this.#path.join("/")}` : "";
    this.message = `${head}${path}: ${this.detail}`;
  }
}

/** Why an address string was refused. */
export type AddressErrorCode =
  /** Not a valid Bech32m string (bad character, checksum, length, mixed case, bech32 variant). */
  | "INVALID_BECH32M"
  /** Human-readable part is not `pc`/`tpc`/`dpc`, or not the one of the expected network. */
  | "WRONG_HRP"
  /** Program version other than 0. */
  | "UNKNOWN_VERSION"
  /** The 5-bit to 8-bit conversion left non-zero or excess padding. */
  | "BAD_PADDING"
  /** The program is not 32 bytes long. */
  | "BAD_PROGRAM_LENGTH";

/**
 * An address string is not a valid PhantomCoin address (for the expected network).
 *
 * @example
 * ```ts
 * import { AddressError, decodeAddress } from "./mod.ts";
 * try {
 *   decodeAddress("pc1qqqqqq");
 * } catch (e) {
 *   if (e instanceof AddressError) console.log(e.code); // "INVALID_BECH32M"
 * }
 * ```
 */
export class AddressError extends Error {
  /** What went wrong. */
  readonly code: AddressErrorCode;
  /** The refused address string. */
  readonly address: string;

  /**
   * @param code What went wrong.
   * @param address The refused string.
   * @param detail Human detail.
   * @param options Standard error options (cause).
   */
  constructor(code: AddressErrorCode, address: string, detail: string, options?: ErrorOptions) {
    const shown = address.length > 100 ? `${address.slice(0, 100)}…` : address;
    super(`Invalid address "${shown}": ${detail}`, options);
    this.name = "AddressError";
    this.code = code;
    this.address = address;
  }
}
