/**
 * Limits of the node's JSON-RPC methods that both sides must agree on: the node enforces them and
 * the wallet's client checks answers against them. A leaf file, so the wallet can import it
 * without pulling in the server.
 * @module
 */

/** Most entries one `get_history` page holds (docs/adr/0056-address-history-index.md). */
export const MAX_HISTORY_PAGE = 200;
