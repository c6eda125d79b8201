/**
 * Slashing protection: per slot (seat key, shard, creator seat) the high-water mark (highest
 * epoch, highest sequence number signed in it, and the id of that event), checked and durably
 * persisted before any event signature is released; plus a versioned JSON interchange format to
 * move a seat between machines (docs/spec/keys.md section 5).
 * @module
 */
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js";
import { SlashingError } from "./errors.ts";
import { writeFileAtomic } from "./_fs.ts";

/** Largest protection file or interchange document accepted, checked before parsing. */
export const MAX_SLASHING_FILE_BYTES = 1024 * 1024;
/** Most slots a store holds (one per seat key, shard and creator seat). */
export const MAX_SLOTS = 4096;
/** Version of the on-disk store. */
export const SLASHING_STORE_VERSION = 1;
/** Version of the interchange format. */
export const INTERCHANGE_VERSION = "1";
/** Largest epoch or sequence number (u64). */
export const MAX_SEQ = (1n << 64n) - 1n;

/** What slashing protection needs to know about an event before it is signed. */
export interface EventClaim {
  /** Shard of the event (0..63). */
  shard: number;
  /** Creator seat index (0..63). */
  creator: number;
  /** Committee epoch (u64). */
  epoch: bigint;
  /** Sequence number of the event in its seat's chain (u64). */
  seq: bigint;
  /** 32-byte event id. */
  id: Uint8Array;
  /** 32-byte id of the self-parent (previous event of the same seat), null for seq 0. */
  selfParent: Uint8Array | null;
}

/** High-water mark of one slot (seat key, shard, creator). */
export interface HighWater {
  /** Highest epoch signed. */
  epoch: bigint;
  /** Highest sequence number signed in that epoch. */
  seq: bigint;
  /** Id of the event signed at (`epoch`, `seq`). */
  eventId: Uint8Array;
}

/** One slot's entry in the interchange format. */
export interface InterchangeEntry {
  /** x-only seat public key, hex. */
  seat_pubkey: string;
  /** Shard, 0..63. */
  shard: number;
  /** Creator seat index, 0..63. */
  creator: number;
  /** Highest signed event: decimal u64 epoch and sequence, hex id. */
  last_signed_event: { epoch: string; seq: string; event_id: string };
}

/** Interchange document, version "1" (inspired by EIP-3076). */
export interface InterchangeV1 {
  /** Format and chain identification. */
  metadata: { interchange_format_version: "1"; genesis_id: string };
  /** One entry per slot. */
  data: InterchangeEntry[];
}

const HEX32 = /^[0-9a-f]{64}$/;
const DEC_U64 = /^(0|[1-9][0-9]{0,19})$/;

function hex(b: Uint8Array | null): string | null {
  return b === null ? null : bytesToHex(b);
}

function eq(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

function check32(name: string, b: unknown): Uint8Array {
  if (!(b instanceof Uint8Array)) throw new TypeError(`Invalid ${name}: expected Uint8Array`);
  if (b.length !== 32) throw new RangeError(`Invalid ${name}: length ${b.length}, expected 32`);
  return b;
}

function checkSmall(name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v)) {
    throw new TypeError(`Invalid ${name}: ${JSON.stringify(v)} is not an integer`);
  }
  if (v < 0 || v > 63) throw new RangeError(`Invalid ${name}: ${v} is outside 0..63`);
  return v;
}

function checkU64(name: string, v: unknown): bigint {
  if (typeof v !== "bigint") throw new TypeError(`Invalid ${name}: ${String(v)} is not a bigint`);
  if (v < 0n || v > MAX_SEQ) throw new RangeError(`Invalid ${name}: ${v} is not a u64`);
  return v;
}

function slotKey(seatKeyHex: string, shard: number, creator: number): string {
  return `${seatKeyHex}/${shard}/${creator}`;
}

/**
 * The slashing rule, pure: decides whether an event may be signed given the slot's high-water
 * mark (docs/spec/keys.md 5.1). Returns `"new"` when the event advances the mark, `"same"` when
 * it is exactly the event already signed at the mark (re-signing it is harmless).
 * @param hw current high-water mark of the event's slot, or null when nothing was signed there
 * @param ev the event to sign
 * @returns "new" or "same"
 * @throws {SlashingError} SLASHING_EPOCH_BELOW_HWM, SLASHING_SEQ_BELOW_HWM,
 *   SLASHING_CONFLICTING_EVENT, SLASHING_SELF_PARENT_CONFLICT, SLASHING_SEQ_GAP
 * @example
 * ```ts
 * import { checkEventAgainst } from "./slashing.ts";
 * const ev = { shard: 0, creator: 0, epoch: 0n, seq: 0n, id: new Uint8Array(32).fill(1), selfParent: null };
 * console.assert(checkEventAgainst(null, ev) === "new");
 * ```
 */
export function checkEventAgainst(hw: HighWater | null, ev: EventClaim): "new" | "same" {
  const { creator, epoch, seq } = ev;
  if (hw !== null && epoch < hw.epoch) {
    throw new SlashingError(
      "SLASHING_EPOCH_BELOW_HWM",
      { creator, epoch, highEpoch: hw.epoch },
      `Refusing event of epoch ${epoch}: below signed epoch ${hw.epoch}`,
    );
  }
  if (hw === null || epoch > hw.epoch) {
    // First event we sign for this slot and epoch: its self-parent must match its seq.
    if ((seq === 0n) !== (ev.selfParent === null)) {
      throw new SlashingError(
        "SLASHING_SELF_PARENT_CONFLICT",
        { creator, epoch, seq, expected: null, got: hex(ev.selfParent) },
        `Refusing event at seq ${seq}: ${
          seq === 0n ? "first event has a self-parent" : "missing self-parent"
        }`,
      );
    }
    return "new";
  }
  if (seq < hw.seq) {
    throw new SlashingError(
      "SLASHING_SEQ_BELOW_HWM",
      { creator, epoch, seq, highWater: hw.seq },
      `Refusing event at seq ${seq}: below high-water mark ${hw.seq}`,
    );
  }
  if (seq === hw.seq) {
    if (eq(ev.id, hw.eventId)) return "same";
    throw new SlashingError(
      "SLASHING_CONFLICTING_EVENT",
      { creator, epoch, seq, signedId: bytesToHex(hw.eventId), requestedId: bytesToHex(ev.id) },
      `Refusing event "${bytesToHex(ev.id).slice(0, 16)}…" at seq ${seq}: event "${
        bytesToHex(hw.eventId).slice(0, 16)
      }…" was already signed`,
    );
  }
  if (seq !== hw.seq + 1n) {
    throw new SlashingError(
      "SLASHING_SEQ_GAP",
      { creator, epoch, seq, highWater: hw.seq },
      `Refusing event at seq ${seq}: skips past high-water mark ${hw.seq}`,
    );
  }
  if (ev.selfParent === null || !eq(ev.selfParent, hw.eventId)) {
    throw new SlashingError(
      "SLASHING_SELF_PARENT_CONFLICT",
      { creator, epoch, seq, expected: bytesToHex(hw.eventId), got: hex(ev.selfParent) },
      `Refusing event at seq ${seq}: self-parent is not the last signed event`,
    );
  }
  return "new";
}

/** Options of {@linkcode SlashingProtection.open}. */
export interface SlashingProtectionOptions {
  /** File holding the store; created on first write. */
  path: string;
  /** 32-byte genesis id of the chain; a store or interchange for another chain is refused. */
  genesisId: Uint8Array;
}

interface Slot extends HighWater {
  seatKey: string;
  shard: number;
  creator: number;
}

/** Parses the entries shared by the store file and the interchange format. */
function parseEntries(list: unknown, fail: (field: string) => never): Map<string, Slot> {
  if (!Array.isArray(list)) fail("data");
  if (list.length > MAX_SLOTS) fail("data");
  const out = new Map<string, Slot>();
  list.forEach((e, i) => {
    const r = e as Record<string, unknown> | null;
    const at = `data/${i}`;
    if (typeof r !== "object" || r === null || Array.isArray(r)) fail(at);
    if (typeof r.seat_pubkey !== "string" || !HEX32.test(r.seat_pubkey)) fail(`${at}/seat_pubkey`);
    for (const f of ["shard", "creator"] as const) {
      const v = r[f];
      if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 63) fail(`${at}/${f}`);
    }
    const l = r.last_signed_event as Record<string, unknown> | null;
    if (typeof l !== "object" || l === null) fail(`${at}/last_signed_event`);
    for (const f of ["epoch", "seq"] as const) {
      const v = l[f];
      if (typeof v !== "string" || !DEC_U64.test(v) || BigInt(v) > MAX_SEQ) {
        fail(`${at}/last_signed_event/${f}`);
      }
    }
    if (typeof l.event_id !== "string" || !HEX32.test(l.event_id)) {
      fail(`${at}/last_signed_event/event_id`);
    }
    const k = slotKey(r.seat_pubkey, r.shard as number, r.creator as number);
    if (out.has(k)) fail(`${at}/seat_pubkey`);
    out.set(k, {
      seatKey: r.seat_pubkey,
      shard: r.shard as number,
      creator: r.creator as number,
      epoch: BigInt(l.epoch as string),
      seq: BigInt(l.seq as string),
      eventId: hexToBytes(l.event_id),
    });
  });
  return out;
}

function toEntries(slots: Map<string, Slot>): InterchangeEntry[] {
  return [...slots.keys()].sort().map((k) => {
    const s = slots.get(k)!;
    return {
      seat_pubkey: s.seatKey,
      shard: s.shard,
      creator: s.creator,
      last_signed_event: {
        epoch: s.epoch.toString(),
        seq: s.seq.toString(),
        event_id: bytesToHex(s.eventId),
      },
    };
  });
}

/**
 * Durable high-water marks per slot. Every successful {@linkcode SlashingProtection.approve}
 * has been fsync'd (atomic rename) before it resolves, so a signature released after it can
 * never be contradicted after a crash or restart. Calls are serialized.
 * @example
 * ```ts
 * import { SlashingProtection } from "./slashing.ts";
 * const path = (await Deno.makeTempDir()) + "/slashing.json";
 * const sp = await SlashingProtection.open({ path, genesisId: new Uint8Array(32) });
 * await sp.approve(new Uint8Array(32).fill(7), { shard: 0, creator: 0, epoch: 0n, seq: 0n, id: new Uint8Array(32).fill(1), selfParent: null });
 * ```
 */
export class SlashingProtection {
  readonly #path: string;
  readonly #genesis: string;
  #slots = new Map<string, Slot>();
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(path: string, genesis: string) {
    this.#path = path;
    this.#genesis = genesis;
  }

  /**
   * Opens (or starts empty when the file does not exist) the store at `opts.path`.
   * @param opts path and genesis id
   * @returns the store
   * @throws {SlashingError} SLASHING_STORE_CORRUPT when the file is malformed or for another chain
   */
  static async open(opts: SlashingProtectionOptions): Promise<SlashingProtection> {
    const genesis = bytesToHex(check32("genesisId", opts.genesisId));
    const sp = new SlashingProtection(opts.path, genesis);
    const path = opts.path;
    function corrupt(field: string): never {
      throw new SlashingError(
        "SLASHING_STORE_CORRUPT",
        { path, field },
        `Cannot read slashing protection "${path}": bad field "${field}"`,
      );
    }
    let bytes: Uint8Array;
    try {
      const st = await Deno.stat(path);
      if (st.size > MAX_SLASHING_FILE_BYTES) corrupt("$");
      bytes = await Deno.readFile(path);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return sp;
      throw e;
    }
    let j: unknown;
    try {
      j = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
    } catch {
      // Reported as a typed corruption error; never start signing from an unreadable store.
      return corrupt("$");
    }
    if (typeof j !== "object" || j === null) corrupt("$");
    const o = j as Record<string, unknown>;
    if (o.version !== SLASHING_STORE_VERSION) corrupt("version");
    if (o.genesis_id !== genesis) corrupt("genesis_id");
    sp.#slots = parseEntries(o.data, corrupt);
    return sp;
  }

  #serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.then(() => undefined, () => undefined);
    return run;
  }

  async #persist(slots: Map<string, Slot>): Promise<void> {
    const doc = {
      version: SLASHING_STORE_VERSION,
      genesis_id: this.#genesis,
      data: toEntries(slots),
    };
    await writeFileAtomic(this.#path, new TextEncoder().encode(JSON.stringify(doc, null, 1)));
  }

  /**
   * The high-water mark of a slot, or null.
   * @param seatKey 32-byte x-only seat public key
   * @param shard shard 0..63
   * @param creator creator seat 0..63
   * @returns a copy of the mark
   */
  highWater(seatKey: Uint8Array, shard: number, creator: number): HighWater | null {
    const k = slotKey(bytesToHex(check32("seatKey", seatKey)), shard, creator);
    const m = this.#slots.get(k);
    return m === undefined ? null : { epoch: m.epoch, seq: m.seq, eventId: m.eventId.slice() };
  }

  /**
   * Checks `ev` against its slot's high-water mark and durably records it; resolve means the
   * caller may sign and release the signature.
   * @param seatKey 32-byte x-only public key of the seat
   * @param ev the event
   * @returns nothing
   * @throws {SlashingError} see {@linkcode checkEventAgainst}
   * @throws {TypeError} {RangeError} on malformed arguments
   */
  async approve(seatKey: Uint8Array, ev: EventClaim): Promise<void> {
    const pk = bytesToHex(check32("seatKey", seatKey));
    check32("event id", ev.id);
    if (ev.selfParent !== null) check32("self-parent", ev.selfParent);
    const shard = checkSmall("shard", ev.shard);
    const creator = checkSmall("creator", ev.creator);
    const epoch = checkU64("epoch", ev.epoch);
    const seq = checkU64("seq", ev.seq);
    const k = slotKey(pk, shard, creator);
    return await this.#serialize(async () => {
      const verdict = checkEventAgainst(this.#slots.get(k) ?? null, ev);
      if (verdict === "same") return;
      const next = new Map(this.#slots);
      next.set(k, { seatKey: pk, shard, creator, epoch, seq, eventId: ev.id.slice() });
      if (next.size > MAX_SLOTS) {
        throw new RangeError(`Invalid slot: store already holds ${MAX_SLOTS} slots`);
      }
      // Persist first: only after the rename is durable does the in-memory mark (and so the
      // caller's signature) move forward.
      await this.#persist(next);
      this.#slots = next;
    });
  }

  /**
   * Exports all marks in the interchange format.
   * @returns the interchange document
   */
  exportInterchange(): InterchangeV1 {
    return {
      metadata: { interchange_format_version: INTERCHANGE_VERSION, genesis_id: this.#genesis },
      data: toEntries(this.#slots),
    };
  }

  /**
   * Merges an interchange document: for each slot the higher (epoch, seq) wins; an equal
   * (epoch, seq) with a different event id is refused (the seat already double-signed
   * somewhere). All-or-nothing: nothing is stored unless the whole document is valid.
   * @param doc parsed JSON (untrusted)
   * @returns number of slots whose mark changed
   * @throws {SlashingError} SLASHING_INTERCHANGE_INVALID naming the field
   */
  async importInterchange(doc: unknown): Promise<number> {
    function bad(field: string): never {
      throw new SlashingError(
        "SLASHING_INTERCHANGE_INVALID",
        { field },
        `Cannot import slashing interchange: bad field "${field}"`,
      );
    }
    if (typeof doc !== "object" || doc === null) bad("$");
    const o = doc as Record<string, unknown>;
    for (const k of Object.keys(o)) if (k !== "metadata" && k !== "data") bad(k);
    const md = o.metadata as Record<string, unknown> | null;
    if (typeof md !== "object" || md === null) bad("metadata");
    if (md.interchange_format_version !== INTERCHANGE_VERSION) {
      bad("metadata/interchange_format_version");
    }
    if (md.genesis_id !== this.#genesis) bad("metadata/genesis_id");
    const incoming = parseEntries(o.data, bad);
    return await this.#serialize(async () => {
      const next = new Map(this.#slots);
      let changed = 0;
      let i = 0;
      for (const [k, m] of incoming) {
        const cur = next.get(k);
        if (
          cur !== undefined && cur.epoch === m.epoch && cur.seq === m.seq &&
          !eq(cur.eventId, m.eventId)
        ) bad(`data/${i}/last_signed_event/event_id`);
        if (
          cur === undefined || m.epoch > cur.epoch || (m.epoch === cur.epoch && m.seq > cur.seq)
        ) {
          next.set(k, m);
          changed++;
        }
        i++;
      }
      if (next.size > MAX_SLOTS) bad("data");
      if (changed > 0) await this.#persist(next);
      this.#slots = next;
      return changed;
    });
  }
}
