/**
 * Binary layouts of announcements (gossip data) and pull frames (docs/spec/p2p.md §3, §4).
 * Decoding is canonical: exact lengths, no trailing bytes, every count checked against its limit
 * before anything is allocated.
 * @module
 */
import { P2pError } from "./errors.ts";
import {
  ID_BYTES,
  MAX_ANNOUNCE_BYTES,
  MAX_ANNOUNCE_IDS,
  MAX_HAVE_ENTRIES,
  MAX_PULL_IDS,
  MAX_RANGE_IDS,
  TOPIC_KINDS,
  type TopicKind,
} from "./limits.ts";

/** Version byte of announcements. */
export const ANNOUNCE_VERSION = 1;

/** One announced body: its id and its size in bytes. */
export interface AnnouncedId {
  /** 32-byte body id. */
  id: Uint8Array;
  /** Body size in bytes (lets a puller refuse oversized bodies before pulling). */
  size: number;
}

function checkId(id: Uint8Array, what: string): void {
  if (!(id instanceof Uint8Array) || id.length !== ID_BYTES) {
    throw new TypeError(`${what}: expected a ${ID_BYTES}-byte Uint8Array`);
  }
}

function checkU32(n: number, what: string): void {
  if (!Number.isInteger(n) || n < 0 || n > 0xffff_ffff) {
    throw new RangeError(`${what} out of range 0..2^32-1: ${String(n)}`);
  }
}

/**
 * Encodes an announcement: `u8 version=1, u8 count, count × (id[32], u32be size)`.
 * @param items 1..{@linkcode MAX_ANNOUNCE_IDS} ids with sizes
 * @returns the announcement bytes
 * @throws {RangeError} on an empty or too long list, or a size out of u32 range
 * @throws {TypeError} on an id that is not 32 bytes
 * @example
 * ```ts
 * import { decodeAnnouncement, encodeAnnouncement } from "./wire.ts";
 * const bytes = encodeAnnouncement([{ id: new Uint8Array(32), size: 10 }]);
 * console.assert(decodeAnnouncement(bytes)[0]?.size === 10);
 * ```
 */
export function encodeAnnouncement(items: readonly AnnouncedId[]): Uint8Array {
  if (items.length < 1 || items.length > MAX_ANNOUNCE_IDS) {
    throw new RangeError(
      `Announcement id count out of range 1..${MAX_ANNOUNCE_IDS}: ${items.length}`,
    );
  }
  const out = new Uint8Array(2 + items.length * (ID_BYTES + 4));
  const view = new DataView(out.buffer);
  out[0] = ANNOUNCE_VERSION;
  out[1] = items.length;
  items.forEach((item, i) => {
    checkId(item.id, `Announcement(ids/${i})`);
    checkU32(item.size, `Announcement(ids/${i}/size)`);
    const at = 2 + i * (ID_BYTES + 4);
    out.set(item.id, at);
    view.setUint32(at + ID_BYTES, item.size);
  });
  return out;
}

/**
 * Decodes an announcement made by {@linkcode encodeAnnouncement}.
 * @param bytes announcement bytes
 * @returns the ids with sizes (views into a copy, safe to keep)
 * @throws {P2pError} `MESSAGE_TOO_LARGE` above {@linkcode MAX_ANNOUNCE_BYTES},
 *   `ANNOUNCE_MALFORMED` on any other deviation (both imply the `reject` verdict)
 * @example
 * ```ts
 * import { decodeAnnouncement } from "./wire.ts";
 * try { decodeAnnouncement(new Uint8Array([1, 0])); } catch (e) { console.assert(e instanceof Error); }
 * ```
 */
export function decodeAnnouncement(bytes: Uint8Array): AnnouncedId[] {
  if (bytes.length > MAX_ANNOUNCE_BYTES) {
    throw new P2pError("MESSAGE_TOO_LARGE", { size: bytes.length, max: MAX_ANNOUNCE_BYTES });
  }
  if (bytes.length < 2) throw malformedAnnounce("truncated header");
  if (bytes[0] !== ANNOUNCE_VERSION) throw malformedAnnounce(`unknown version ${bytes[0]}`);
  const count = bytes[1] ?? 0;
  if (count < 1 || count > MAX_ANNOUNCE_IDS) {
    throw malformedAnnounce(`id count ${count} outside 1..${MAX_ANNOUNCE_IDS}`);
  }
  const want = 2 + count * (ID_BYTES + 4);
  if (bytes.length < want) throw malformedAnnounce(`truncated: ${bytes.length} of ${want} bytes`);
  if (bytes.length > want) throw malformedAnnounce(`${bytes.length - want} trailing bytes`);
  // A plain copy: gossipsub may hand us a Node Buffer, whose slice() is a view.
  const copy = new Uint8Array(bytes);
  const view = new DataView(copy.buffer);
  const items: AnnouncedId[] = [];
  for (let i = 0; i < count; i++) {
    const at = 2 + i * (ID_BYTES + 4);
    items.push({ id: copy.subarray(at, at + ID_BYTES), size: view.getUint32(at + ID_BYTES) });
  }
  return items;
}

function malformedAnnounce(detail: string): P2pError<"ANNOUNCE_MALFORMED"> {
  return new P2pError("ANNOUNCE_MALFORMED", { detail });
}

function malformedPull(detail: string): P2pError<"PULL_MALFORMED"> {
  return new P2pError("PULL_MALFORMED", { detail });
}

/** Pull frame types (docs/spec/p2p.md §4). */
export const PULL_GET = 1;
/** HAVE summary request/response. */
export const PULL_HAVE = 2;
/** RANGE (ids by creator and sequence) request/response. */
export const PULL_RANGE = 3;
/** Error response. */
export const PULL_ERROR = 0xff;

/** A pull request. */
export type PullRequest =
  | { type: "get"; kind: TopicKind; ids: Uint8Array[] }
  | { type: "have" }
  | { type: "range"; creator: Uint8Array; fromSeq: bigint; limit: number };

/** Status of one id in a GET response. */
export type PullItem =
  | { status: "missing" }
  | { status: "body"; body: Uint8Array }
  | { status: "withheld" };

/** One entry of a HAVE summary: the latest sequence number held of a creator. */
export interface HaveEntry {
  /** 32-byte creator (seat) id. */
  creator: Uint8Array;
  /** Latest event sequence number of that creator held by the peer. */
  seq: bigint;
}

/** A pull response. */
export type PullResponse =
  | { type: "get"; items: PullItem[] }
  | { type: "have"; entries: HaveEntry[] }
  | { type: "range"; ids: Uint8Array[] }
  | { type: "error"; reason: "rate_limited" | "bad_request" | "unknown" };

const ERROR_CODES = { rate_limited: 1, bad_request: 2, unknown: 0 } as const;

class Writer {
  #parts: Uint8Array[] = [];
  #size = 0;
  u8(n: number): void {
    this.bytes(Uint8Array.of(n));
  }
  u16(n: number): void {
    const b = new Uint8Array(2);
    new DataView(b.buffer).setUint16(0, n);
    this.bytes(b);
  }
  u32(n: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, n);
    this.bytes(b);
  }
  u64(n: bigint): void {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, n);
    this.bytes(b);
  }
  bytes(b: Uint8Array): void {
    this.#parts.push(b);
    this.#size += b.length;
  }
  finish(): Uint8Array {
    const out = new Uint8Array(this.#size);
    let at = 0;
    for (const p of this.#parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

class Reader {
  #at = 0;
  readonly #view: DataView;
  readonly buf: Uint8Array;
  constructor(buf: Uint8Array) {
    // A plain Uint8Array: libp2p hands out Node Buffers, whose slice() is a view, not a copy.
    this.buf = buf.constructor === Uint8Array ? buf : new Uint8Array(buf);
    this.#view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }
  #need(n: number, field: string): number {
    if (this.#at + n > this.buf.length) throw malformedPull(`${field}: truncated`);
    const at = this.#at;
    this.#at += n;
    return at;
  }
  u8(field: string): number {
    return this.#view.getUint8(this.#need(1, field));
  }
  u16(field: string): number {
    return this.#view.getUint16(this.#need(2, field));
  }
  u32(field: string): number {
    return this.#view.getUint32(this.#need(4, field));
  }
  u64(field: string): bigint {
    return this.#view.getBigUint64(this.#need(8, field));
  }
  bytes(n: number, field: string): Uint8Array {
    const at = this.#need(n, field);
    return this.buf.slice(at, at + n);
  }
  end(what: string): void {
    if (this.#at !== this.buf.length) {
      throw malformedPull(`${what}: ${this.buf.length - this.#at} trailing bytes`);
    }
  }
}

function kindByte(kind: TopicKind): number {
  const i = TOPIC_KINDS.indexOf(kind);
  if (i < 0) throw new TypeError(`Unknown topic kind: "${String(kind)}"`);
  return i;
}

/**
 * Encodes a pull request frame.
 * @param req the request
 * @returns frame bytes (without the length prefix the stream adds)
 * @throws {RangeError} on a count above its limit
 * @throws {TypeError} on a bad id or kind
 * @example
 * ```ts
 * import { decodePullRequest, encodePullRequest } from "./wire.ts";
 * const req = decodePullRequest(encodePullRequest({ type: "have" }));
 * console.assert(req.type === "have");
 * ```
 */
export function encodePullRequest(req: PullRequest): Uint8Array {
  const w = new Writer();
  switch (req.type) {
    case "get":
      if (req.ids.length < 1 || req.ids.length > MAX_PULL_IDS) {
        throw new RangeError(`Pull id count out of range 1..${MAX_PULL_IDS}: ${req.ids.length}`);
      }
      w.u8(PULL_GET);
      w.u8(kindByte(req.kind));
      w.u16(req.ids.length);
      req.ids.forEach((id, i) => {
        checkId(id, `PullRequest(ids/${i})`);
        w.bytes(id);
      });
      break;
    case "have":
      w.u8(PULL_HAVE);
      break;
    case "range":
      checkId(req.creator, "PullRequest(creator)");
      if (!Number.isInteger(req.limit) || req.limit < 1 || req.limit > MAX_RANGE_IDS) {
        throw new RangeError(`Range limit out of range 1..${MAX_RANGE_IDS}: ${String(req.limit)}`);
      }
      if (req.fromSeq < 0n || req.fromSeq >= 1n << 64n) {
        throw new RangeError(`Range fromSeq out of u64 range: ${String(req.fromSeq)}`);
      }
      w.u8(PULL_RANGE);
      w.bytes(req.creator);
      w.u64(req.fromSeq);
      w.u16(req.limit);
      break;
  }
  return w.finish();
}

/**
 * Decodes a pull request frame.
 * @param bytes frame bytes
 * @returns the request
 * @throws {P2pError} `PULL_MALFORMED` on any deviation from the layout
 * @example
 * ```ts
 * import { decodePullRequest } from "./wire.ts";
 * try { decodePullRequest(new Uint8Array([9])); } catch (e) { console.assert(e instanceof Error); }
 * ```
 */
export function decodePullRequest(bytes: Uint8Array): PullRequest {
  const r = new Reader(bytes);
  const type = r.u8("PullRequest(type)");
  let req: PullRequest;
  if (type === PULL_GET) {
    const k = r.u8("PullRequest(kind)");
    const kind = TOPIC_KINDS[k];
    if (kind === undefined) throw malformedPull(`PullRequest(kind): unknown kind ${k}`);
    const count = r.u16("PullRequest(count)");
    if (count < 1 || count > MAX_PULL_IDS) {
      throw malformedPull(`PullRequest(count): ${count} outside 1..${MAX_PULL_IDS}`);
    }
    if (bytes.length !== 4 + count * ID_BYTES) {
      throw malformedPull(`PullRequest(ids): ${bytes.length} bytes, want ${4 + count * ID_BYTES}`);
    }
    const ids: Uint8Array[] = [];
    for (let i = 0; i < count; i++) ids.push(r.bytes(ID_BYTES, `PullRequest(ids/${i})`));
    req = { type: "get", kind, ids };
  } else if (type === PULL_HAVE) {
    req = { type: "have" };
  } else if (type === PULL_RANGE) {
    const creator = r.bytes(ID_BYTES, "PullRequest(creator)");
    const fromSeq = r.u64("PullRequest(fromSeq)");
    const limit = r.u16("PullRequest(limit)");
    if (limit < 1 || limit > MAX_RANGE_IDS) {
      throw malformedPull(`PullRequest(limit): ${limit} outside 1..${MAX_RANGE_IDS}`);
    }
    req = { type: "range", creator, fromSeq, limit };
  } else {
    throw malformedPull(`PullRequest(type): unknown type ${type}`);
  }
  r.end("PullRequest");
  return req;
}

/**
 * Encodes a pull response frame. The caller keeps GET bodies within the frame limit (it marks the
 * rest `withheld`).
 * @param res the response
 * @returns frame bytes
 * @throws {RangeError} on a count above its limit
 * @example
 * ```ts
 * import { decodePullResponse, encodePullResponse } from "./wire.ts";
 * const bytes = encodePullResponse({ type: "get", items: [{ status: "missing" }] });
 * console.assert(decodePullResponse(bytes, 1).type === "get");
 * ```
 */
export function encodePullResponse(res: PullResponse): Uint8Array {
  const w = new Writer();
  switch (res.type) {
    case "get":
      if (res.items.length > MAX_PULL_IDS) {
        throw new RangeError(`Pull item count above ${MAX_PULL_IDS}: ${res.items.length}`);
      }
      w.u8(PULL_GET);
      w.u16(res.items.length);
      for (const item of res.items) {
        if (item.status === "missing") w.u8(0);
        else if (item.status === "withheld") w.u8(2);
        else {
          w.u8(1);
          w.u32(item.body.length);
          w.bytes(item.body);
        }
      }
      break;
    case "have":
      if (res.entries.length > MAX_HAVE_ENTRIES) {
        throw new RangeError(`Have entry count above ${MAX_HAVE_ENTRIES}: ${res.entries.length}`);
      }
      w.u8(PULL_HAVE);
      w.u16(res.entries.length);
      res.entries.forEach((e, i) => {
        checkId(e.creator, `PullResponse(entries/${i}/creator)`);
        w.bytes(e.creator);
        w.u64(e.seq);
      });
      break;
    case "range":
      if (res.ids.length > MAX_RANGE_IDS) {
        throw new RangeError(`Range id count above ${MAX_RANGE_IDS}: ${res.ids.length}`);
      }
      w.u8(PULL_RANGE);
      w.u16(res.ids.length);
      res.ids.forEach((id, i) => {
        checkId(id, `PullResponse(ids/${i})`);
        w.bytes(id);
      });
      break;
    case "error":
      w.u8(PULL_ERROR);
      w.u8(ERROR_CODES[res.reason]);
      break;
  }
  return w.finish();
}

/**
 * Decodes a pull response frame.
 * @param bytes frame bytes
 * @param expectedItems for a GET: the number of ids requested (the response must match it)
 * @returns the response
 * @throws {P2pError} `PULL_MALFORMED` on any deviation from the layout
 * @example
 * ```ts
 * import { decodePullResponse } from "./wire.ts";
 * console.assert(decodePullResponse(new Uint8Array([0xff, 1]), 0).type === "error");
 * ```
 */
export function decodePullResponse(bytes: Uint8Array, expectedItems: number): PullResponse {
  const r = new Reader(bytes);
  const type = r.u8("PullResponse(type)");
  let res: PullResponse;
  if (type === PULL_GET) {
    const count = r.u16("PullResponse(count)");
    if (count !== expectedItems) {
      throw malformedPull(`PullResponse(count): ${count} items for ${expectedItems} ids`);
    }
    const items: PullItem[] = [];
    for (let i = 0; i < count; i++) {
      const status = r.u8(`PullResponse(items/${i}/status)`);
      if (status === 0) items.push({ status: "missing" });
      else if (status === 2) items.push({ status: "withheld" });
      else if (status === 1) {
        const len = r.u32(`PullResponse(items/${i}/length)`);
        items.push({ status: "body", body: r.bytes(len, `PullResponse(items/${i}/body)`) });
      } else throw malformedPull(`PullResponse(items/${i}/status): unknown status ${status}`);
    }
    res = { type: "get", items };
  } else if (type === PULL_HAVE) {
    const count = r.u16("PullResponse(count)");
    if (count > MAX_HAVE_ENTRIES) {
      throw malformedPull(`PullResponse(count): ${count} above ${MAX_HAVE_ENTRIES}`);
    }
    const entries: HaveEntry[] = [];
    for (let i = 0; i < count; i++) {
      const creator = r.bytes(ID_BYTES, `PullResponse(entries/${i}/creator)`);
      entries.push({ creator, seq: r.u64(`PullResponse(entries/${i}/seq)`) });
    }
    res = { type: "have", entries };
  } else if (type === PULL_RANGE) {
    const count = r.u16("PullResponse(count)");
    if (count > MAX_RANGE_IDS) {
      throw malformedPull(`PullResponse(count): ${count} above ${MAX_RANGE_IDS}`);
    }
    const ids: Uint8Array[] = [];
    for (let i = 0; i < count; i++) ids.push(r.bytes(ID_BYTES, `PullResponse(ids/${i})`));
    res = { type: "range", ids };
  } else if (type === PULL_ERROR) {
    const code = r.u8("PullResponse(code)");
    res = {
      type: "error",
      reason: code === 1 ? "rate_limited" : code === 2 ? "bad_request" : "unknown",
    };
  } else {
    throw malformedPull(`PullResponse(type): unknown type ${type}`);
  }
  r.end("PullResponse");
  return res;
}
