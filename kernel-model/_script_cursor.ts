// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * A lazy walk over a workload script: `repeat` expanded as the walk goes,
 * so memory is the script's depth, not its length. Private to
 * kernel-model/: expandScript() and the WorkloadDriver use it.
 *
 * @module
 */

import type { Syscall } from "./workload.ts";

/** One level of a script being walked: a list, the next index, repeats left. */
interface CursorFrame {
  list: readonly Syscall[];
  index: number;
  left: number;
}

/**
 * Walks a validated script, expanding `repeat` lazily: memory is the depth
 * of the script, not its length.
 */
export class ScriptCursor {
  readonly #stack: CursorFrame[];

  /**
   * Starts at the first call of `script`.
   *
   * @param script A validated script.
   */
  constructor(script: readonly Syscall[]) {
    this.#stack = [{ list: script, index: 0, left: 0 }];
  }

  /** The next call, or null at the end. */
  next(): Syscall | null {
    const stack = this.#stack;
    while (stack.length > 0) {
      const f = stack[stack.length - 1];
      if (f.index < f.list.length) {
        const s = f.list[f.index++];
        if (s.call !== "repeat") return s;
        // Validated repeats make at least one call per pass.
        if (s.times > 0 && s.body.length > 0) {
          stack.push({ list: s.body, index: 0, left: s.times - 1 });
        }
        continue;
      }
      if (f.left > 0) {
        f.left--;
        f.index = 0;
        continue;
      }
      stack.pop();
    }
    return null;
  }
}
