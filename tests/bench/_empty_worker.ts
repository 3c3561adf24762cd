// Copyright 2026 the kprobes-sim authors. MIT license.
// A program that starts one Worker running this same file, which loads
// nothing and answers at once; it exits when the answer arrives. demo_ms's
// floor (_startup.ts): the wall time a Worker adds to an empty `deno run`.

const scope = globalThis as unknown as { postMessage?: (m: unknown) => void };
if (new URL(import.meta.url).search === "?worker") {
  scope.postMessage?.("up");
} else {
  const worker = new Worker(`${import.meta.url}?worker`, { type: "module" });
  await new Promise((resolve) => (worker.onmessage = resolve));
  worker.terminate();
}
