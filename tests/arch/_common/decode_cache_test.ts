// Copyright 2026 the kprobes-sim authors. MIT license.
import assert from "node:assert/strict";
import { DecodeCache } from "../../../arch/_common/decode_cache.ts";

interface Entry {
  name: string;
  next: Entry | null;
}

function entry(name: string): Entry {
  return { name, next: null };
}

function cacheAt(cache: DecodeCache<Entry>, lo: number, e: Entry): Entry {
  cache.page(0, lo)[lo & 0xfff] = e;
  return e;
}

function linkTo(cache: DecodeCache<Entry>, from: Entry, fromLo: number, to: Entry, toLo: number) {
  from.next = to;
  cache.link(from, 0, fromLo, 0, toLo);
}

Deno.test("DecodeCache.invalidate() unlinks the entries linked into the pages it drops", () => {
  const cache = new DecodeCache<Entry>((e) => (e.next = null));
  const a = cacheAt(cache, 0x1000, entry("a"));
  const b = cacheAt(cache, 0x5000, entry("b"));
  const c = cacheAt(cache, 0x5010, entry("c"));
  const d = cacheAt(cache, 0x9000, entry("d"));
  linkTo(cache, a, 0x1000, b, 0x5000); // into page 5
  linkTo(cache, b, 0x5000, c, 0x5010); // within page 5
  linkTo(cache, d, 0x9000, a, 0x1000); // into page 1
  cache.invalidate(0, 0x6010, 1); // drops pages 5 (straddling) and 6
  assert.equal(a.next, null);
  assert.equal(d.next, a);
  assert.equal(cache.page(0, 0x5000)[0x10], null);
  cache.invalidate(0, 0x1000, 4);
  assert.equal(d.next, null);
});

Deno.test("DecodeCache.link() keeps a bounded list when the linking page is decoded again and again", () => {
  let unlinked = 0;
  const cache = new DecodeCache<Entry>((e) => {
    unlinked++;
    e.next = null;
  });
  const target = cacheAt(cache, 0x5000, entry("t"));
  let from = entry("f");
  for (let i = 0; i < 10_000; i++) {
    cache.invalidate(0, 0x1000, 1); // the linking page is rewritten
    from = cacheAt(cache, 0x1000, entry(`f${i}`));
    linkTo(cache, from, 0x1000, target, 0x5000);
  }
  cache.invalidate(0, 0x5000, 1);
  assert.equal(from.next, null);
  assert.ok(unlinked >= 1 && unlinked <= 64, `${unlinked} entries unlinked`);
});
