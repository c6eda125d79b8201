/**
 * Simnet scenarios: TOML files (scenarios/*.toml) parsed with smol-toml and validated into a
 * {@linkcode Scenario}. Schema: docs/simnet.md.
 * @module
 */
import { parse } from "smol-toml";

/** Byzantine behaviours a seat can be given. */
export const BYZANTINE_KINDS = [
  "equivocate",
  "silent",
  "withhold",
  "forge_vote",
  "malformed",
  "spam",
  "invalid_data",
] as const;
/** One Byzantine behaviour. */
export type ByzantineKind = typeof BYZANTINE_KINDS[number];

/** Network model of a scenario. */
export interface NetworkModel {
  /** Mean one-way delay (the unit of finality_delays). */
  readonly latency: number;
  /** Per-message uniform jitter as a fraction of the link mean. */
  readonly jitter: number;
  /** Per-link mean factor drawn in [1 - spread, 1 + spread]. */
  readonly linkSpread: number;
  /** Per-message loss probability. */
  readonly loss: number;
  /** Per-message duplication probability. */
  readonly duplicate: number;
  /** Probability a message is held back an extra U(0, 2 * latency) (reordering). */
  readonly reorder: number;
}

/** A partition: messages between different groups are dropped in [start, end). */
export interface Partition {
  /** Start time. */
  readonly start: number;
  /** Heal time. */
  readonly end: number;
  /** Seat groups; seats not listed form one more group. */
  readonly groups: readonly (readonly number[])[];
}

/** Seats that crash at `at` and restart from durable state at `restart`. */
export interface Crash {
  /** Seats. */
  readonly seats: readonly number[];
  /** Crash time. */
  readonly at: number;
  /** Restart time (>= at). */
  readonly restart: number;
}

/** A validated scenario. */
export interface Scenario {
  /** Name. */
  readonly name: string;
  /** Committee size k = number of nodes. */
  readonly seats: number;
  /** Simulated duration. */
  readonly duration: number;
  /** Tx submission stops this long before the end (time to finalize). */
  readonly drain: number;
  /** Minimum finalized anchors for liveness_ok. */
  readonly minAnchors: number;
  /** Network model. */
  readonly network: NetworkModel;
  /** Minimum time between a node's own events. */
  readonly eventInterval: number;
  /** A node with nothing new creates an event after this long anyway. */
  readonly heartbeat: number;
  /** Period of pull sync with a random peer. */
  readonly syncInterval: number;
  /** Peers each honest node forwards a newly inserted event to (gossip redundancy). */
  readonly relay: number;
  /**
   * 1: a node creates its event at once, ignoring `eventInterval`, when that event would be a
   * witness of a higher round than its last one (docs/simnet.md); 0: never early.
   */
  readonly eagerRound: number;
  /**
   * With eagerRound: at most this many events created at once to open a round (a chain of
   * self-children, each naming MAX_PARENTS - 1 more tips); 1 = one event.
   */
  readonly roundBurst: number;
  /**
   * With eagerRound: after a new witness of the node's round or above is inserted, its next event
   * comes `witnessAck · eventInterval` after its last one instead of a full interval; 0 = off.
   */
  readonly witnessAck: number;
  /** Client txs per time unit (all nodes together). */
  readonly txRate: number;
  /** Partitions. */
  readonly partitions: readonly Partition[];
  /** Crashes. */
  readonly crashes: readonly Crash[];
  /** Byzantine behaviour per seat. */
  readonly byzantine: ReadonlyMap<number, ByzantineKind>;
  /** Probability a Byzantine seat misbehaves at each own event (equivocate, forge_vote). */
  readonly byzantineRate: number;
}

/** Invalid scenario file. */
export class ScenarioError extends Error {
  /** Always "SCENARIO_INVALID". */
  readonly code = "SCENARIO_INVALID" as const;
  /** Field path at fault. */
  readonly field: string;
  /**
   * @param field field path
   * @param message what is wrong
   */
  constructor(field: string, message: string) {
    super(`Invalid scenario "${field}": ${message}`);
    this.name = "ScenarioError";
    this.field = field;
  }
}

type Table = Record<string, unknown>;

function num(
  t: Table,
  key: string,
  path: string,
  def: number | undefined,
  min: number,
  max: number,
) {
  const v = t[key] ?? def;
  if (typeof v !== "number" || !Number.isFinite(v) || v < min || v > max) {
    throw new ScenarioError(`${path}${key}`, `expected a number in [${min}, ${max}], got ${v}`);
  }
  return v;
}

function integer(v: number, path: string): number {
  if (!Number.isInteger(v)) throw new ScenarioError(path, `expected an integer, got ${v}`);
  return v;
}

function seatList(v: unknown, path: string, k: number): number[] {
  if (!Array.isArray(v)) throw new ScenarioError(path, "expected an array of seats");
  return v.map((s, i) => {
    if (typeof s !== "number" || !Number.isInteger(s) || s < 0 || s >= k) {
      throw new ScenarioError(`${path}/${i}`, `seat out of range: ${s}`);
    }
    return s;
  });
}

/**
 * Parses and validates scenario TOML text.
 * @param text TOML source
 * @returns the scenario
 * @throws {ScenarioError} on any invalid field
 * @example
 * ```ts
 * import { parseScenario } from "./scenario.ts";
 * const s = parseScenario('name = "x"\nseats = 4\nduration = 2000');
 * console.assert(s.seats === 4);
 * ```
 */
export function parseScenario(text: string): Scenario {
  let t: Table;
  try {
    t = parse(text) as Table;
  } catch (e) {
    throw new ScenarioError("", `not TOML: ${(e as Error).message.split("\n")[0]}`);
  }
  const name = t["name"];
  if (typeof name !== "string" || name.length === 0) throw new ScenarioError("name", "missing");
  const seats = num(t, "seats", "", undefined, 1, 64);
  if (!Number.isInteger(seats)) throw new ScenarioError("seats", "not an integer");
  const duration = num(t, "duration", "", undefined, 1, 1e9);
  const net = (t["network"] ?? {}) as Table;
  const latency = num(net, "latency", "network.", 100, 1, 1e6);
  const network: NetworkModel = {
    latency,
    jitter: num(net, "jitter", "network.", 0.3, 0, 0.99),
    linkSpread: num(net, "link_spread", "network.", 0.3, 0, 0.99),
    loss: num(net, "loss", "network.", 0, 0, 0.9),
    duplicate: num(net, "duplicate", "network.", 0, 0, 0.9),
    reorder: num(net, "reorder", "network.", 0, 0, 1),
  };
  const node = (t["node"] ?? {}) as Table;
  const wl = (t["workload"] ?? {}) as Table;
  const partitions = ((t["partition"] ?? []) as Table[]).map((p, i) => {
    const path = `partition/${i}.`;
    const start = num(p, "start", path, undefined, 0, duration);
    const end = num(p, "end", path, undefined, start, duration);
    const g = p["groups"];
    if (!Array.isArray(g)) throw new ScenarioError(`${path}groups`, "expected arrays of seats");
    return { start, end, groups: g.map((x, j) => seatList(x, `${path}groups/${j}`, seats)) };
  });
  const crashes = ((t["crash"] ?? []) as Table[]).map((c, i) => {
    const path = `crash/${i}.`;
    const at = num(c, "at", path, undefined, 0, duration);
    return {
      seats: seatList(c["seats"], `${path}seats`, seats),
      at,
      restart: num(c, "restart", path, undefined, at, 1e9),
    };
  });
  const byz = new Map<number, ByzantineKind>();
  const bt = (t["byzantine"] ?? {}) as Table;
  for (const key of Object.keys(bt)) {
    if (key === "rate") continue;
    if (!(BYZANTINE_KINDS as readonly string[]).includes(key)) {
      throw new ScenarioError(`byzantine.${key}`, "unknown behaviour");
    }
    for (const s of seatList(bt[key], `byzantine.${key}`, seats)) {
      if (byz.has(s)) throw new ScenarioError(`byzantine.${key}`, `seat ${s} listed twice`);
      byz.set(s, key as ByzantineKind);
    }
  }
  return {
    name,
    seats,
    duration,
    drain: num(t, "drain", "", duration / 3, 0, duration),
    minAnchors: num(t, "min_anchors", "", 1, 0, 1e9),
    network,
    eventInterval: num(node, "event_interval", "node.", latency / 4, 0.001, 1e9),
    heartbeat: num(node, "heartbeat", "node.", latency * 2, 0.001, 1e9),
    syncInterval: num(node, "sync_interval", "node.", latency * 2, 0.001, 1e9),
    relay: num(node, "relay", "node.", 0, 0, 64),
    eagerRound: num(node, "eager_round", "node.", 1, 0, 1),
    roundBurst: integer(num(node, "round_burst", "node.", 3, 1, 16), "node.round_burst"),
    witnessAck: num(node, "witness_ack", "node.", 0.5, 0, 1),
    txRate: num(wl, "tx_rate", "workload.", 0.05, 0, 1e6),
    partitions,
    crashes,
    byzantine: byz,
    byzantineRate: num(bt, "rate", "byzantine.", 0.5, 0, 1),
  };
}
