// Copyright 2026 the kprobes-sim authors. MIT license.
// A module with parameters: probes `symbol`, prints every parameter at init.
import { type Kprobe, module_params, param, printk, register_kprobe, unregister_kprobe } from "../../../mod.ts";

export const MODULE_DESCRIPTION = "counts calls of a function given as a parameter";
export const MODULE_AUTHOR = "kprobes-sim authors";
export const MODULE_LICENSE = "GPL";

export const params = module_params({
  symbol: param.charp("do_fork", "function to probe"),
  count: param.int(3, "how many hits to print"),
  verbose: param.bool(false, "print every hit"),
  cpus: param.array("uint", [0], "CPUs to report", 4),
  mask: param.ulong(0xffn),
});

let hits = 0;
const kp: Kprobe = {
  pre_handler: () => {
    hits++;
    if (params.verbose && hits <= params.count) printk("params: hit %d of %s\n", hits, params.symbol);
    return 0;
  },
};

export function init_module(): number {
  printk(
    "params: symbol=%s count=%d verbose=%d cpus=%s mask=%s\n",
    params.symbol,
    params.count,
    params.verbose ? 1 : 0,
    params.cpus.join(","),
    params.mask.toString(16),
  );
  kp.symbol_name = params.symbol;
  return register_kprobe(kp);
}

export function cleanup_module(): void {
  unregister_kprobe(kp);
  printk("params: %d hits on %s\n", hits, params.symbol);
}
