// Copyright 2026 the kprobes-sim authors. MIT license.
// Runs one fuzz target inside a Worker for tests/fuzz/fuzz.ts, posting a
// heartbeat before each input so the parent can name (and kill) an input
// that hangs.

/// <reference lib="deno.worker" />

import { runFuzz } from "./_harness.ts";
import { longRunTarget, type TargetName } from "./_targets.ts";

/** What the parent asks for. */
export interface WorkerRequest {
  target: TargetName;
  seed: number;
  startAt: number;
  seconds: number;
}

self.onmessage = async (ev: MessageEvent<WorkerRequest>) => {
  const { target, seed, startAt, seconds } = ev.data;
  const r = await runFuzz(longRunTarget(target), {
    seed,
    startAt,
    seconds,
    onStart: (i, s) => self.postMessage({ type: "start", i, seed: s }),
    onFinding: (f) => self.postMessage({ type: "finding", ...f }),
  });
  self.postMessage({ type: "done", iterations: r.iterations });
};
