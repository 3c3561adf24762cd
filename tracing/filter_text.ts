// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * What tracefs shows of event filters: a `filter` file's text (the filter,
 * `none`, or Linux's parse error with its caret), the subsystem filter
 * file's default text, and the `error_log` entry of a refused filter.
 * Linux: append_filter_err(), print_event_filter()
 * (kernel/trace/trace_events_filter.c).
 *
 * @module
 */

import { toByteString } from "./_cstring.ts";
import { FILTER_ERROR_TEXT, type FilterError, type FilterResult } from "./filter.ts";

/**
 * What reading an event's `filter` file shows after a write that Linux
 * refused: the filter string, a line with `^` under the error, and
 * `parse_error: <message>` (or `Error: (0)` when Linux recorded no parse
 * error), then the blank line `print_event_filter()` adds. With
 * `subsystem`, the text each event of a group shows after a refused write
 * to the group's `filter` (Linux reports every failure there as
 * "Couldn't find or set field in one of a subsystem's events" at column 0;
 * the group's own `filter` file keeps showing
 * {@linkcode DEFAULT_SYS_FILTER_MESSAGE}).
 *
 * Linux: append_filter_err(), print_event_filter() (kernel/trace/trace_events_filter.c).
 *
 * @param expr The text that was written (only used if `result` has no filter string).
 * @param result The failure from {@linkcode compileFilter}.
 * @param options `subsystem: true` for a write to `events/<group>/filter`.
 * @returns The file's content, newline-terminated.
 *
 * @example The caret under an unknown field
 * ```ts
 * import { compileFilter } from "./filter.ts";
 * import { filterErrorText } from "./filter_text.ts";
 * import assert from "node:assert/strict";
 *
 * const r = compileFilter("rett < 0", [{ name: "ret", kind: "signed", size: 8 }]);
 * assert.ok(!r.ok);
 * assert.equal(filterErrorText("rett < 0", r), "rett < 0\n     ^\nparse_error: Field not found\n\n");
 * ```
 */
export function filterErrorText(
  expr: string,
  result: FilterError,
  options?: { subsystem?: boolean },
): string {
  const text = result.filterString ?? expr;
  const len = toByteString(text).length;
  const subsystem = options?.subsystem === true;
  const code = subsystem ? "BAD_SUBSYS_FILTER" : result.code;
  let pos = subsystem ? 0 : result.pos;
  if (code === "ERRNO") return `${text}\nError: (0)\n\n`;
  if (pos > len) pos = len;
  if (pos) pos++; // "indexing is off by one"
  return `${text}\n${"^".padStart(pos)}\nparse_error: ${FILTER_ERROR_TEXT[code]}\n\n`;
}

/**
 * What the group-level `events/<group>/filter` file always reads in 6.1
 * (a write there sets the events' filters and leaves this text).
 */
export const DEFAULT_SYS_FILTER_MESSAGE: string = "### global filter ###\n" +
  "# Use this to set filters for multiple events.\n" +
  "# Only events with the given fields will be affected.\n" +
  "# If no events are modified, an error message will be displayed here\n";

/**
 * What reading an event's `filter` file shows: `none` with no filter (never
 * written, or cleared by writing `0`), the filter string, or the error text.
 *
 * Linux: print_event_filter().
 *
 * @param result The last {@linkcode compileFilter} result written, if any.
 * @returns The file's content.
 *
 * @example
 * ```ts
 * import { compileFilter } from "./filter.ts";
 * import { filterFileText } from "./filter_text.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(filterFileText(undefined), "none\n");
 * const f = compileFilter("common_pid == 1\n", [{ name: "common_pid", kind: "signed", size: 4 }]);
 * assert.equal(filterFileText(f), "common_pid == 1\n");
 * ```
 */
export function filterFileText(result: FilterResult | undefined): string {
  if (result === undefined || (result.ok && result.cleared)) return "none\n";
  if (result.ok) return `${result.filterString}\n`;
  return filterErrorText(result.filterString, result);
}

/** An `error_log` entry as tracing_log_err() records it for a refused filter. */
export interface FilterErrorLogEntry {
  /** `"event filter parse error"`: printed as `<loc>: error: <message>`. */
  loc: string;
  /** Linux's message (`"Error"` when no parse error was recorded). */
  message: string;
  /** The `Command:` text: the filter string. */
  command: string;
  /** Caret column after the `Command: ` prefix (raw, not clamped, as Linux prints it). */
  pos: number;
}

/**
 * The `error_log` entry Linux adds for a refused filter (per event, and
 * with `subsystem` for a group write: the subsystem message at 0).
 *
 * Linux: append_filter_err() → tracing_log_err() (kernel/trace/trace.c).
 *
 * @param result The failure from {@linkcode compileFilter}.
 * @param options `subsystem: true` for a write to `events/<group>/filter`.
 * @returns The entry's parts; `error_log` prints
 *   `[ts] <loc>: error: <message>\n  Command: <command>\n` and the caret line.
 *
 * @example
 * ```ts
 * import { compileFilter } from "./filter.ts";
 * import { filterErrorLogEntry } from "./filter_text.ts";
 * import assert from "node:assert/strict";
 *
 * const r = compileFilter("(x == 1", [{ name: "x", kind: "signed", size: 4 }]);
 * assert.ok(!r.ok);
 * assert.deepEqual(filterErrorLogEntry(r), {
 *   loc: "event filter parse error",
 *   message: "Too many '('",
 *   command: "(x == 1",
 *   pos: 0,
 * });
 * ```
 */
export function filterErrorLogEntry(
  result: FilterError,
  options?: { subsystem?: boolean },
): FilterErrorLogEntry {
  const subsystem = options?.subsystem === true;
  const code = subsystem ? "BAD_SUBSYS_FILTER" : result.code;
  return {
    loc: "event filter parse error",
    message: FILTER_ERROR_TEXT[code],
    command: result.filterString,
    pos: subsystem || code === "ERRNO" ? 0 : result.pos,
  };
}
