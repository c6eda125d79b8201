/**
 * Consensus checkpoints (docs/spec/state.md §6, ADR 0076): what a {@linkcode ConsensusEngine}
 * needs to resume ordering right after a finalized anchor without the DAG history before it.
 *
 * A checkpoint at anchor round r lists, in the exporting engine's insertion (hence topological)
 * order, every event of round >= `base` (base = r + 1 - 2 x STALE_ROUNDS, the "full" window) plus
 * the "boundary" events those events' vector clocks point at (for each seat, the highest event of
 * that seat in the event's ancestry). Each entry carries the event's ordering metadata: round,
 * witness flag, per-seat highest sequence number in its ancestry, and whether an anchor at or
 * before the checkpoint already ordered it. Votes and fame decisions of the undecided rounds are
 * not stored: the restoring engine recomputes them by replaying the witnesses (they are a pure
 * function of the DAG window, ADR 0076).
 *
 * The restoring engine checks the metadata for consistency and recomputes round, witness flag,
 * vote mask and vector clock of every full-window event whose parents are all listed (every event
 * above the window's first layer); the first layer and the boundary events are trusted as part of
 * the operator-trusted snapshot.
 *
 * Pure: no clocks, randomness or I/O.
 * @module
 */
import { type ConsensusEngine, STALE_ROUNDS } from "./engine.ts";
import type { EventHeader } from "./types.ts";

/** Rounds of full history a checkpoint keeps below its first undecided round, in STALE_ROUNDS. */
export const CHECKPOINT_WINDOW_STALE_PERIODS = 2;

/** One event of a {@linkcode ConsensusCheckpoint} with its ordering metadata. */
export interface CheckpointEvent {
  /** The event. */
  readonly header: EventHeader;
  /** Its round. */
  readonly round: number;
  /** Whether it is a witness (first event of its creator in its round). */
  readonly witness: boolean;
  /** Per seat: highest sequence number in its ancestry (itself included), -1 when none. */
  readonly hbSeq: readonly number[];
  /** Whether an anchor at or before the checkpoint ordered it. */
  readonly ordered: boolean;
}

/** What a consensus engine resumes from (see the module doc). */
export interface ConsensusCheckpoint {
  /** Finalized anchor height at the checkpoint (= anchor round + 1 = first undecided round). */
  readonly height: number;
  /** Id of the anchor at that height (chained into the next anchor id). */
  readonly anchorId: Uint8Array;
  /** First round of the full window: every event of round >= base is listed. */
  readonly base: number;
  /** Full-window and boundary events, parents before children. */
  readonly events: readonly CheckpointEvent[];
}

/** Codes of {@linkcode CheckpointError}. */
export type CheckpointErrorCode =
  | "CHECKPOINT_FORKED"
  | "CHECKPOINT_NOT_FINALIZED"
  | "CHECKPOINT_INVALID";

/**
 * A checkpoint that cannot be built or restored. Nothing was changed when it is thrown.
 * @example
 * ```ts
 * import { CheckpointError } from "./checkpoint.ts";
 * const e = new CheckpointError("CHECKPOINT_INVALID", "Checkpoint event out of order: 3");
 * console.assert(e.code === "CHECKPOINT_INVALID");
 * ```
 */
export class CheckpointError extends Error {
  /** Machine-readable reason. */
  readonly code: CheckpointErrorCode;
  /** Hex id of the offending event, when one is at fault. */
  readonly event?: string;

  /**
   * @param code the reason
   * @param message sentence case, detail after a colon
   * @param event hex id of the offending event
   */
  constructor(code: CheckpointErrorCode, message: string, event?: string) {
    super(message);
    this.name = "CheckpointError";
    this.code = code;
    if (event !== undefined) this.event = event;
  }
}

/** Options of {@linkcode buildCheckpoint}. */
export interface BuildCheckpointOptions {
  /** Round of the anchor to checkpoint at (its height is round + 1). */
  readonly round: number;
  /** Id of that anchor. */
  readonly anchorId: Uint8Array;
}

/**
 * Builds the checkpoint of `engine` at the anchor of round `round`. The engine must have finalized
 * that round (it may have finalized later ones: their events are listed as not yet ordered, and
 * the restoring engine orders them again).
 * @param engine an engine whose DAG holds the history up to (at least) the anchor
 * @param o anchor round and id
 * @returns the checkpoint
 * @throws {CheckpointError} `CHECKPOINT_NOT_FINALIZED` when the round is not finalized yet,
 *   `CHECKPOINT_FORKED` when the DAG holds an equivocation (forked DAGs are not checkpointed)
 * @example
 * ```ts ignore
 * const cp = buildCheckpoint(engine, { round: anchor.round, anchorId: anchor.id });
 * const resumed = new ConsensusEngine({ ...config, checkpoint: cp });
 * ```
 */
export function buildCheckpoint(
  engine: ConsensusEngine,
  o: BuildCheckpointOptions,
): ConsensusCheckpoint {
  const height = o.round + 1;
  if (!Number.isInteger(o.round) || o.round < 0 || engine.finalizedHeight < height) {
    throw new CheckpointError(
      "CHECKPOINT_NOT_FINALIZED",
      `Checkpoint round is not finalized: ${o.round} (finalized height ${engine.finalizedHeight})`,
    );
  }
  if (engine.forkedSeats !== 0n) {
    throw new CheckpointError(
      "CHECKPOINT_FORKED",
      `Cannot checkpoint a DAG with equivocations: seats mask ${engine.forkedSeats.toString(16)}`,
    );
  }
  const k = engine.k;
  const base = Math.max(0, height - CHECKPOINT_WINDOW_STALE_PERIODS * STALE_ROUNDS);
  const all = engine.eventsAfter(new Array<number>(k).fill(-1), Number.MAX_SAFE_INTEGER);
  const metas = all.map((h) => engine.meta(h.id)!);
  // Full window: every event of round >= base. Boundary: what their vector clocks point at.
  const wanted: Set<string>[] = Array.from({ length: k }, () => new Set());
  const keep = new Array<boolean>(all.length).fill(false);
  for (let i = 0; i < all.length; i++) {
    const m = metas[i]!;
    if (m.round < base) continue;
    keep[i] = true;
    for (let v = 0; v < k; v++) if (m.hbSeq[v]! >= 0) wanted[v]!.add(String(m.hbSeq[v]));
  }
  const events: CheckpointEvent[] = [];
  for (let i = 0; i < all.length; i++) {
    const h = all[i]!;
    if (!keep[i] && !wanted[h.creator]!.has(String(h.seq))) continue;
    const m = metas[i]!;
    const t = engine.consensusTimeOf(h.id);
    events.push({
      header: h,
      round: m.round,
      witness: m.witness,
      hbSeq: m.hbSeq,
      ordered: t !== undefined && t <= o.round,
    });
  }
  return { height, anchorId: o.anchorId.slice(), base, events };
}
