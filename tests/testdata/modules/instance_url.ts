// Copyright 2026 the kprobes-sim authors. MIT license.
// A module that prints the query of the URL it was imported under, for the
// test of insmod's stable per-process instance URLs. Imported by that test
// only, so the instance numbers it sees start at 1.
import { printk } from "../../../mod.ts";

export function init_module(): number {
  printk("instance_url: %s\n", new URL(import.meta.url).search);
  return 0;
}
