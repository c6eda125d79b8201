/**
 * Logging setup (@logtape/logtape): categories `["phantom", <module>]`, one sink writing to stderr
 * (stdout stays free for command output), pretty lines for humans or JSON lines for machines, and
 * per-module levels.
 * @module
 */
import { bytesToHex } from "@noble/hashes/utils.js";
import {
  configure,
  getAnsiColorFormatter,
  getJsonLinesFormatter,
  getLogger,
  getTextFormatter,
  type Logger,
  type LogLevel,
  type LogRecord,
  reset,
  type TextFormatter,
} from "@logtape/logtape";
import type { LogLevelName } from "./config.ts";

/** Options of {@linkcode setupLogging}. */
export interface LoggingOptions {
  /** Default level for every module. */
  readonly level: LogLevelName;
  /** `pretty` (coloured when stderr is a terminal) or `json` (JSON lines). */
  readonly format: "pretty" | "json";
  /** Per-module overrides as `module=level` strings (validated by the config schema). */
  readonly modules?: readonly string[];
  /** Where formatted lines go; default a synchronous write to stderr. */
  readonly write?: (line: string) => void;
}

const encoder = new TextEncoder();

function writeStderr(line: string): void {
  const bytes = encoder.encode(line);
  let off = 0;
  while (off < bytes.length) off += Deno.stderr.writeSync(bytes.subarray(off));
}

function renderValue(v: unknown): string {
  if (typeof v === "string") return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  if (typeof v === "bigint") return v.toString();
  if (v instanceof Uint8Array) {
    return bytesToHex(v);
  }
  return JSON.stringify(v, (_k, x) => typeof x === "bigint" ? x.toString() : x) ?? String(v);
}

/** Appends the structured properties as `key=value` pairs to a text formatter's line. */
function withProperties(base: TextFormatter): TextFormatter {
  return (record: LogRecord) => {
    const line = base(record).replace(/\n$/, "");
    const props = Object.entries(record.properties).map(([k, v]) => `${k}=${renderValue(v)}`);
    return (props.length === 0 ? line : `${line} ${props.join(" ")}`) + "\n";
  };
}

/**
 * Configures logtape for the process (replacing an earlier configuration).
 * @param options level, format, per-module levels, output
 * @throws {Error} from logtape when the configuration is inconsistent
 * @example
 * ```ts
 * import { nodeLogger, setupLogging } from "./logging.ts";
 * const lines: string[] = [];
 * await setupLogging({ level: "info", format: "json", write: (l) => lines.push(l) });
 * nodeLogger("node").info("Anchor finalized", { anchor: "ab12" });
 * console.assert(lines.length === 1);
 * ```
 */
export async function setupLogging(options: LoggingOptions): Promise<void> {
  let formatter: TextFormatter;
  if (options.format === "json") {
    formatter = getJsonLinesFormatter({ properties: "flatten" });
  } else {
    const tty = options.write === undefined && Deno.stderr.isTerminal() && !Deno.noColor;
    formatter = withProperties(
      tty
        ? getAnsiColorFormatter({ timestamp: "date-time-tz" })
        : getTextFormatter({ timestamp: "date-time-tz" }),
    );
  }
  const write = options.write ?? writeStderr;
  const sink = (record: LogRecord) => write(formatter(record));
  const modules = (options.modules ?? []).map((m) => {
    const [mod, level] = m.split("=") as [string, LogLevelName];
    // "override": the module's own level decides, not the parent's (which would hide debug).
    return {
      category: ["phantom", mod],
      lowestLevel: level as LogLevel,
      sinks: ["out"],
      parentSinks: "override" as const,
    };
  });
  await configure({
    reset: true,
    sinks: { out: sink },
    loggers: [
      { category: ["phantom"], lowestLevel: options.level as LogLevel, sinks: ["out"] },
      ...modules,
      { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["out"] },
    ],
  });
}

/**
 * Removes the logging configuration (tests, shutdown).
 */
export async function teardownLogging(): Promise<void> {
  await reset();
}

/**
 * The logger of one module: category `["phantom", module]`.
 * @param module module name, e.g. `node`, `rpc`
 * @returns a logtape logger; use structured calls `log.info("Anchor finalized", { anchor })`
 * @example
 * ```ts
 * import { nodeLogger } from "./logging.ts";
 * nodeLogger("rpc").debug("Request served", { method: "status" });
 * ```
 */
export function nodeLogger(module: string): Logger {
  return getLogger(["phantom", module]);
}
