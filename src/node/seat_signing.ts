/**
 * The validator's policy around its {@linkcode SeatSigner}: a failed request is a typed
 * {@linkcode NodeError} that is counted (`pc_node_signer_errors_total`), logged when the failure
 * changes, and followed by an exponential back-off; the node keeps running and simply emits no
 * event meanwhile. An event whose request failed ambiguously (transport failure or timeout: the
 * signer may have signed and persisted its mark) is kept and sent again, byte for byte, as long as
 * it is still the seat's next event: the signer's idempotent-retry rule (docs/spec/keys.md §5.1
 * rule 4) then answers it, where a freshly built event at that seq would be refused forever.
 * Decision: docs/adr/0057-node-signs-through-phantom-signer.md.
 * @module
 */
import type { Logger } from "@logtape/logtape";
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { EventHeader } from "../codec/mod.ts";
import { NodeError } from "./errors.ts";
import type { SeatSigner } from "./seat_signer.ts";

/** Metrics of the seat signer (docs/operations.md "Metrics"). */
export interface SeatSignerMetrics {
  /** `pc_node_signer_errors_total{code, signer_code}` failed signer requests by typed code. */
  readonly errors: Counter<"code" | "signer_code">;
  /** `pc_node_signer_sign_seconds` round trip of one successful event signature. */
  readonly signSeconds: Histogram;
  /** `pc_node_signer_up` 1 when the last signer request succeeded, 0 when it failed. */
  readonly up: Gauge;
}

/**
 * Creates and registers the seat signer metrics.
 * @param registry prom-client registry
 * @param kind back-end kind, exported as `pc_node_signer_info{kind}`
 * @returns the metrics
 * @throws {Error} when they are already registered in `registry`
 * @example
 * ```ts
 * import { Registry } from "prom-client";
 * import { createSeatSignerMetrics } from "./seat_signing.ts";
 * const m = createSeatSignerMetrics(new Registry(), "remote");
 * m.errors.inc({ code: "SIGNER_UNAVAILABLE", signer_code: "" });
 * ```
 */
export function createSeatSignerMetrics(registry: Registry, kind: string): SeatSignerMetrics {
  const r = [registry];
  new Gauge({
    name: "pc_node_signer_info",
    help: "Where the seat key lives: remote (phantom-signer) or key_file (dev-only)",
    labelNames: ["kind"],
    registers: r,
  }).set({ kind }, 1);
  return {
    errors: new Counter({
      name: "pc_node_signer_errors_total",
      help: "Failed seat signer requests by node error code and signer (or slashing) code",
      labelNames: ["code", "signer_code"],
      registers: r,
    }),
    signSeconds: new Histogram({
      name: "pc_node_signer_sign_seconds",
      help: "Round trip of one successful event signature by the seat signer",
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: r,
    }),
    up: new Gauge({
      name: "pc_node_signer_up",
      help: "1 when the last seat signer request succeeded, 0 when it failed",
      registers: r,
    }),
  };
}

/** An own event waiting for its signature. */
export interface EventDraft<T> {
  /** Header to sign. */
  readonly header: EventHeader;
  /** `eventId(header)`. */
  readonly id: Uint8Array;
  /** What the caller needs to finish the event (payload, mints, chosen transactions). */
  readonly extra: T;
}

/** Options of {@linkcode SeatSigning}. */
export interface SeatSigningOptions {
  /** First back-off after a failure in ms (doubles per failure). Default 250. */
  readonly backoffMinMs?: number;
  /** Longest back-off in ms. Default 10,000. */
  readonly backoffMaxMs?: number;
  /** Monotonic clock in ms (tests). Default performance.now. */
  readonly now?: () => number;
}

/**
 * Gate between the validator and its {@linkcode SeatSigner} (see the module doc).
 * @example
 * ```ts
 * import { SeatSigning } from "./seat_signing.ts";
 * import { KeyFileSeatSigner } from "./seat_signer.ts";
 * import { schnorrPublicKey } from "../crypto/mod.ts";
 * const sk = new Uint8Array(32).fill(1);
 * const g = new SeatSigning(new KeyFileSeatSigner({ secretKey: sk, publicKey: schnorrPublicKey(sk) }));
 * console.assert(g.ready());
 * ```
 */
export class SeatSigning<T> {
  /** The back end. */
  readonly signer: SeatSigner;
  readonly #min: number;
  readonly #max: number;
  readonly #now: () => number;
  #log: Logger | null = null;
  #metrics: SeatSignerMetrics | null = null;
  #failures = 0;
  #notBefore = 0;
  #retained: EventDraft<T> | null = null;
  #lastError: NodeError | null = null;
  #signed = 0;

  /**
   * @param signer the back end
   * @param options back-off and clock
   */
  constructor(signer: SeatSigner, options: SeatSigningOptions = {}) {
    this.signer = signer;
    this.#min = options.backoffMinMs ?? 250;
    this.#max = options.backoffMaxMs ?? 10_000;
    this.#now = options.now ?? (() => performance.now());
  }

  /**
   * Attaches the logger and metrics (the validator's bind).
   * @param log logger
   * @param metrics metrics, or null
   */
  bind(log: Logger, metrics: SeatSignerMetrics | null): void {
    this.#log = log;
    this.#metrics = metrics;
  }

  /** The last failure, or null once a request succeeded after it. */
  get lastError(): NodeError | null {
    return this.#lastError;
  }

  /** Events signed so far. */
  get signed(): number {
    return this.#signed;
  }

  /** @returns false while backing off after a failure */
  ready(): boolean {
    return this.#now() >= this.#notBefore;
  }

  /**
   * The draft kept after an ambiguous failure, if it is still the seat's next event; a draft
   * that no longer is (the seat moved on) is dropped.
   * @param nextSeq the seq the seat's next event has now
   * @returns the draft to send again, or null
   */
  retained(nextSeq: bigint): EventDraft<T> | null {
    const d = this.#retained;
    if (d !== null && d.header.seq !== nextSeq) this.#retained = null;
    return this.#retained;
  }

  /**
   * Keeps `draft` for {@linkcode SeatSigning.retained} (a draft stored before a restart, whose
   * signing may have happened without the node learning it).
   * @param draft the unsigned event
   */
  retain(draft: EventDraft<T>): void {
    this.#retained = draft;
  }

  /**
   * Asks the back end for the seat public key.
   * @returns the key, or null after a typed failure (counted, logged, backing off)
   * @throws anything that is not a signer failure (a bug)
   */
  async publicKey(): Promise<Uint8Array | null> {
    try {
      const pk = await this.signer.publicKey();
      this.#ok();
      return pk;
    } catch (e) {
      this.#failed(e, "Cannot get the seat public key from the signer");
      return null;
    }
  }

  /**
   * Signs a draft.
   * @param draft header, id and the caller's data
   * @returns the signature, or null after a typed failure (counted, logged, backing off; the
   *   draft is kept for {@linkcode SeatSigning.retained} when the failure was ambiguous)
   * @throws anything that is not a signer failure (a bug)
   */
  async sign(draft: EventDraft<T>): Promise<Uint8Array | null> {
    const t0 = this.#now();
    try {
      const sig = await this.signer.signEvent(draft.header, draft.id);
      this.#metrics?.signSeconds.observe((this.#now() - t0) / 1000);
      this.#retained = null;
      this.#signed++;
      this.#ok();
      return sig;
    } catch (e) {
      const code = this.#failed(
        e,
        "Event not signed: the seat emits nothing until the signer agrees",
      );
      this.#retained = code === "SIGNER_UNAVAILABLE" ? draft : null;
      return null;
    }
  }

  #ok(): void {
    if (this.#lastError !== null) {
      this.#log?.info("Seat signer answers again", {
        signer: this.signer.label,
        failures: this.#failures,
      });
    }
    this.#failures = 0;
    this.#notBefore = 0;
    this.#lastError = null;
    this.#metrics?.up.set(1);
  }

  #failed(e: unknown, what: string): string {
    if (!(e instanceof NodeError)) throw e;
    const signerCode = e.data.code === "SIGNER_REFUSED"
      ? (e.data.slashingCode ?? e.data.signerCode)
      : "";
    this.#metrics?.errors.inc({ code: e.code, signer_code: signerCode });
    this.#metrics?.up.set(0);
    const prev = this.#lastError;
    // Log the first failure and every change of reason; a signer that stays down is one line
    // (the counter carries the rest).
    if (prev === null || prev.message !== e.message) {
      this.#log?.warn(what, { signer: this.signer.label, code: e.code, error: e.message });
    }
    this.#lastError = e;
    this.#failures++;
    const delay = Math.min(this.#max, this.#min * 2 ** Math.min(this.#failures - 1, 20));
    this.#notBefore = this.#now() + delay;
    return e.code;
  }
}
