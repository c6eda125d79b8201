/**
 * Snapshot export/import interface. The state engine implements it (export of the UTXO set, bonds
 * and claims at a finalized anchor, with its state root); the CLI only calls it.
 * @module
 */

/** What a snapshot operation reports. */
export interface SnapshotInfo {
  /** Finalized anchor the snapshot is taken at (hex id). */
  readonly anchor: string;
  /** Anchor height (count of finalized anchors). */
  readonly height: number;
  /** State root committed by the anchor (hex). */
  readonly stateRoot: string;
  /** Snapshot size in bytes. */
  readonly bytes: number;
}

/** Exports and imports state snapshots. */
export interface Snapshotter {
  /**
   * Writes a snapshot of the latest durable finalized anchor.
   * @param path destination file (must not exist)
   * @returns what was written
   */
  exportTo(path: string): Promise<SnapshotInfo>;
  /**
   * Verifies a snapshot (state root) and installs it as the node's state.
   * @param path source file
   * @returns what was installed
   */
  importFrom(path: string): Promise<SnapshotInfo>;
}
