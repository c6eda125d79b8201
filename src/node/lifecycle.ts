/**
 * Lifecycle manager: starts components in order and stops them in reverse order, so that intake
 * stops before the flush finishes and the KV closes last.
 * @module
 */

/** A long-lived part of the node. */
export interface Component {
  /** Name for logs and errors. */
  readonly name: string;
  /** Starts the component; may reject. */
  start(): Promise<void> | void;
  /** Stops the component; must be safe to call once after a successful start. */
  stop(): Promise<void> | void;
}

/** Events reported by a {@linkcode Lifecycle}. */
export type LifecycleEvent =
  | { kind: "starting" | "started" | "stopping" | "stopped"; component: string }
  | { kind: "stop_failed"; component: string; error: unknown };

/**
 * Starts and stops components. If a start fails, the already started ones are stopped in reverse
 * order and the error is rethrown. `stop()` stops every started component even when one fails,
 * and rethrows the first failure (an AggregateError when several fail).
 *
 * @example
 * ```ts
 * import { Lifecycle } from "./lifecycle.ts";
 * const order: string[] = [];
 * const lc = new Lifecycle();
 * lc.add({ name: "kv", start() {}, stop() { order.push("kv"); } });
 * lc.add({ name: "rpc", start() {}, stop() { order.push("rpc"); } });
 * await lc.start();
 * await lc.stop();
 * console.assert(order.join() === "rpc,kv");
 * ```
 */
export class Lifecycle {
  readonly #components: Component[] = [];
  readonly #started: Component[] = [];
  readonly #onEvent: (e: LifecycleEvent) => void;
  #state: "new" | "starting" | "running" | "stopping" | "stopped" = "new";
  #stopping: Promise<void> | null = null;

  /** @param onEvent observer of progress (logging) */
  constructor(onEvent: (e: LifecycleEvent) => void = () => {}) {
    this.#onEvent = onEvent;
  }

  /** Current state. */
  get state(): "new" | "starting" | "running" | "stopping" | "stopped" {
    return this.#state;
  }

  /**
   * Appends a component; it starts after and stops before those added earlier.
   * @param c the component
   * @returns the component (for chaining)
   * @throws {Error} when called after start
   */
  add<C extends Component>(c: C): C {
    if (this.#state !== "new") {
      throw new Error(`Cannot add component "${c.name}": lifecycle already ${this.#state}`);
    }
    this.#components.push(c);
    return c;
  }

  /**
   * Starts every component in order.
   * @throws the first start error, after stopping the ones already started
   */
  async start(): Promise<void> {
    if (this.#state !== "new") throw new Error(`Cannot start lifecycle: already ${this.#state}`);
    this.#state = "starting";
    for (const c of this.#components) {
      this.#onEvent({ kind: "starting", component: c.name });
      try {
        await c.start();
      } catch (e) {
        await this.stop().catch((stopErr) => {
          // The start error is the one the caller needs; stop failures were reported via onEvent.
          void stopErr;
        });
        throw e;
      }
      this.#started.push(c);
      this.#onEvent({ kind: "started", component: c.name });
    }
    this.#state = "running";
  }

  /**
   * Stops started components in reverse start order. Concurrent calls share one shutdown.
   * @throws the stop error (AggregateError when several components fail)
   */
  stop(): Promise<void> {
    if (this.#stopping !== null) return this.#stopping;
    this.#stopping = this.#stopAll();
    return this.#stopping;
  }

  async #stopAll(): Promise<void> {
    this.#state = "stopping";
    const errors: unknown[] = [];
    while (this.#started.length > 0) {
      const c = this.#started.pop() as Component;
      this.#onEvent({ kind: "stopping", component: c.name });
      try {
        await c.stop();
        this.#onEvent({ kind: "stopped", component: c.name });
      } catch (e) {
        errors.push(e);
        this.#onEvent({ kind: "stop_failed", component: c.name, error: e });
      }
    }
    this.#state = "stopped";
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, "Several components failed to stop");
  }
}
