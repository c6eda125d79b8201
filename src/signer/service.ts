/**
 * The phantom-signer process assembled from its parts: keystore, software back end, slashing
 * protection, protocol-v1 inspectors and the socket server. Entry points only parse flags and
 * call {@linkcode SignerService}.
 * @module
 */
import { networkParams } from "../params/mod.ts";
import { type SigningBackend, SoftwareBackend } from "./backend.ts";
import { codecEventInspector, inspectDaAttestation, inspectSeatTx } from "./event.ts";
import { openKeystore } from "./keystore.ts";
import { type SignerListen, SignerServer } from "./server.ts";
import { Signer } from "./signer.ts";
import { SlashingProtection } from "./slashing.ts";

/** Configuration of {@linkcode SignerService}. */
export interface SignerServiceConfig {
  /** Encrypted keystore file (mode 0600). */
  keystorePath: string;
  /** Its passphrase. */
  passphrase: string;
  /** Slashing-protection file. */
  slashingPath: string;
  /** 32-byte genesis id of the chain the seats sign for. */
  genesisId: Uint8Array;
  /** Socket to serve on. */
  listen: SignerListen;
  /** Bearer token (required for TCP), or null. */
  token: string | null;
}

/**
 * A running signer: open keystore, slashing protection and socket server.
 * @example
 * ```ts
 * import { SignerService } from "./service.ts";
 * console.assert(typeof SignerService === "function");
 * ```
 */
export class SignerService {
  readonly #cfg: SignerServiceConfig;
  // Typed by the interface: the assembly above is the one place that names a concrete back end.
  #backend: SigningBackend | null = null;
  #server: SignerServer | null = null;

  /**
   * @param cfg paths, passphrase, genesis id, listen address, token
   */
  constructor(cfg: SignerServiceConfig) {
    this.#cfg = cfg;
  }

  /**
   * Opens the keystore and the slashing store, then starts serving.
   * @returns the network the keystore belongs to
   * @throws {KeystoreError} {SlashingError} when either store cannot be opened
   */
  async start(): Promise<{ network: string }> {
    const ks = await openKeystore(this.#cfg.keystorePath, this.#cfg.passphrase);
    const networkId = networkParams(ks.network).networkId;
    const slashing = await SlashingProtection.open({
      path: this.#cfg.slashingPath,
      genesisId: this.#cfg.genesisId,
    });
    this.#backend = new SoftwareBackend({ seed: ks.seed, network: ks.network });
    ks.seed.fill(0);
    const signer = new Signer({ token: this.#cfg.token }, {
      backend: this.#backend,
      slashing,
      inspectEvent: codecEventInspector(networkId),
      inspectSeatTx: (tx, spent) => inspectSeatTx(networkId, tx, spent),
      inspectDa: (a, h) => inspectDaAttestation(networkId, a, h),
    });
    this.#server = new SignerServer({ listen: this.#cfg.listen }, {
      signer,
      hasToken: this.#cfg.token !== null,
    });
    await this.#server.start();
    return { network: ks.network };
  }

  /** The bound TCP port, or null. */
  get port(): number | null {
    return this.#server?.port ?? null;
  }

  /**
   * Stops serving and wipes secrets from memory.
   * @returns nothing
   */
  async stop(): Promise<void> {
    await this.#server?.stop();
    this.#backend?.close();
    this.#server = null;
    this.#backend = null;
  }
}
