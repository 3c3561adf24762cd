// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Priority-ordered notifier chains, as `kernel/notifier.c`: the die chain
 * is how traps reach Kprobes (§1.1: "control passes to Kprobes via the
 * notifier_call_chain mechanism").
 *
 * @module
 */

/** notifier_call return: not interested. */
export const NOTIFY_DONE = 0x0000;
/** notifier_call return: handled, keep going. */
export const NOTIFY_OK = 0x0001;
/** notifier_call return: handled, stop the chain. */
export const NOTIFY_STOP = 0x8001;

/** die_val: breakpoint trap. */
export const DIE_INT3 = 1;
/** die_val: single-step / debug trap. */
export const DIE_DEBUG = 2;
/** die_val: general protection fault. */
export const DIE_GPF = 3;
/** die_val: page fault. */
export const DIE_PAGE_FAULT = 4;
/** die_val: an Oops is being reported. */
export const DIE_OOPS = 5;
/** die_val: any other trap (invalid opcode, divide error, …). Linux: do_trap(). */
export const DIE_TRAP = 6;

/** What a die notifier receives. Linux: `struct die_args`. */
export interface DieArgs {
  /** The CPU that trapped (its registers are the saved `pt_regs`). */
  cpu: { id: number };
  /** What happened, as text (`int3`, `page fault`). */
  str: string;
  /** The hardware error code. */
  err: number;
  /** The arch trap number. */
  trapnr: number;
}

/** A notifier callback. Linux: `notifier_fn_t`. */
export type NotifierFn = (val: number, args: DieArgs) => number;

/** One registered callback. Linux: `struct notifier_block`. */
export interface NotifierBlock {
  /** The callback. */
  notifier_call: NotifierFn;
  /** Higher runs first. */
  priority?: number;
}

/** A notifier chain. Linux: `struct atomic_notifier_head`. */
export class NotifierChain {
  #blocks: NotifierBlock[] = [];

  /**
   * Adds a block, keeping higher priorities first (stable for equal ones).
   *
   * @param nb The block.
   * @returns 0.
   *
   * @example Stop the chain
   * ```ts
   * import { NOTIFY_STOP, NotifierChain } from "./notifier.ts";
   * import assert from "node:assert/strict";
   * const chain = new NotifierChain();
   * chain.register({ notifier_call: () => NOTIFY_STOP });
   * assert.equal(chain.call(1, { cpu: { id: 0 }, str: "int3", err: 0, trapnr: 3 }), NOTIFY_STOP);
   * ```
   */
  register(nb: NotifierBlock): number {
    const pr = nb.priority ?? 0;
    let i = 0;
    while (i < this.#blocks.length && (this.#blocks[i].priority ?? 0) >= pr) i++;
    this.#blocks.splice(i, 0, nb);
    return 0;
  }

  /**
   * Removes a block.
   *
   * @param nb The block.
   * @returns 0, or -2 (-ENOENT) when it was not registered.
   */
  unregister(nb: NotifierBlock): number {
    const i = this.#blocks.indexOf(nb);
    if (i < 0) return -2;
    this.#blocks.splice(i, 1);
    return 0;
  }

  /**
   * Calls the blocks in order until one returns a value with the stop bit.
   *
   * @param val The event (DIE_INT3 …).
   * @param args The event's arguments.
   * @returns The last callback's return value, or NOTIFY_DONE.
   */
  call(val: number, args: DieArgs): number {
    let ret = NOTIFY_DONE;
    const blocks = this.#blocks;
    for (let i = 0; i < blocks.length; i++) {
      ret = blocks[i].notifier_call(val, args);
      if ((ret & 0x8000) !== 0) break;
    }
    return ret;
  }
}
