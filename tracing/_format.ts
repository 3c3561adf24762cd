// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Texts of tracefs files that do not change with state: an event's
 * `format`, the `README` mini-HOWTO for kprobe events, and each arch's
 * register names. Private to tracing/.
 *
 * @module
 */

import type { TraceEvent } from "./trace_kprobe.ts";

/**
 * Register names `%REG` accepts. Linux: regoffset_table
 * (arch/x86/kernel/ptrace.c, arch/powerpc/kernel/ptrace/ptrace-view.c,
 * arch/sparc/kernel/ptrace_64.c).
 */
export function registerNames(
  arch: "x86_64" | "i386" | "ppc64" | "sparc64",
): ReadonlySet<string> {
  const common = ["bx", "cx", "dx", "si", "di", "bp", "ax"];
  const tail = ["orig_ax", "ip", "cs", "flags", "sp", "ss"];
  switch (arch) {
    case "x86_64":
      return new Set(["r15", "r14", "r13", "r12", "r11", "r10", "r9", "r8", ...common, ...tail]);
    case "i386":
      return new Set([...common, "ds", "es", "fs", "gs", ...tail]);
    case "ppc64": {
      const names: string[] = [];
      for (let i = 0; i < 32; i++) names.push(`r${i}`, `gpr${i}`);
      names.push("nip", "msr", "ctr", "link", "xer", "ccr", "softe", "trap", "dar", "dsisr");
      return new Set(names);
    }
    case "sparc64": {
      const names: string[] = [];
      for (let i = 0; i < 8; i++) names.push(`g${i}`);
      for (let i = 0; i < 8; i++) names.push(`i${i}`);
      names.push("tstate", "pc", "npc", "y", "lr");
      return new Set(names);
    }
  }
}

/**
 * An event's `format` file. Linux: f_show() (kernel/trace/trace_events.c),
 * kprobe_event_define_fields(), __set_print_fmt() (trace_probe.c).
 */
export function formatFile(ev: TraceEvent, bits: 32 | 64): string {
  const word = bits / 8;
  const def = ev.primary;
  const lines = [
    `name: ${ev.name}`,
    `ID: ${ev.id}`,
    "format:",
    "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;",
    "\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;",
    "\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;",
    "\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;",
    "",
  ];
  let off = 8;
  const field = (type: string, name: string, size: number, signed: boolean) => {
    lines.push(
      `\tfield:${type} ${name};\toffset:${off};\tsize:${size};\tsigned:${signed ? 1 : 0};`,
    );
    off += size;
  };
  if (def.isReturn) {
    field("unsigned long", "__probe_func", word, false);
    field("unsigned long", "__probe_ret_ip", word, false);
  } else {
    field("unsigned long", "__probe_ip", word, false);
  }
  const base = off;
  for (const a of def.args) {
    off = base + a.offset;
    const type = a.count ? `${a.type.fmttype}[${a.count}]` : a.type.fmttype;
    field(type, a.name, a.type.size * (a.count || 1), a.type.signed);
  }
  let fmt = def.isReturn ? '"(%lx <- %lx)' : '"(%lx)';
  let rec = def.isReturn ? ", REC->__probe_func, REC->__probe_ret_ip" : ", REC->__probe_ip";
  for (const a of def.args) {
    fmt += ` ${a.name}=`;
    fmt += a.count ? `{${new Array(a.count).fill(a.type.fmt).join(",")}}` : a.type.fmt;
    const one = (i?: number) => {
      const n = i === undefined ? a.name : `${a.name}[${i}]`;
      return a.type.string ? `, __get_str(${n})` : `, REC->${n}`;
    };
    rec += a.count ? Array.from({ length: a.count }, (_, i) => one(i)).join("") : one();
  }
  lines.push("", `print fmt: ${fmt}"${rec}`, "");
  return lines.join("\n");
}

/** The `README` file: the kprobe-events part of Linux's mini-HOWTO. */
export const README_TEXT = `tracing mini-HOWTO:

# echo 0 > tracing_on : quick way to disable tracing
# echo 1 > tracing_on : quick way to re-enable tracing

 Important files:
  trace\t\t\t- The static contents of the buffer
\t\t\t  To clear the buffer write into this file: echo > trace
  trace_pipe\t\t- A consuming read to see the contents of the buffer
  tracing_on\t\t- A way to enable or disable writing to the ring buffer
  buffer_size_kb\t- View and modify size of the per cpu buffer
  error_log\t- error log for failed commands (that support it)
  available_events\t- list of the events that can be enabled
  kprobe_events\t\t- Create/append/remove/show the kernel dynamic events
\t\t\t  Write into this file to define/undefine new trace events.
  kprobe_profile\t- Show hit and missed counts of each kprobe event

\t  accepts: event-definitions (one definition per line)
\t   Format: p[:[<group>/][<event>]] <place> [<args>]
\t           r[maxactive][:[<group>/][<event>]] <place> [<args>]
\t           -:[<group>/][<event>]
\t    place: [<module>:]<symbol>[+<offset>]|<memaddr>
place (kretprobe): [<module>:]<symbol>[+<offset>]%return|<memaddr>
\t     args: <name>=fetcharg[:type]
\t fetcharg: (%<register>|$<efield>), @<address>, @<symbol>[+|-<offset>],
\t           $stack<index>, $stack, $retval, $comm, $arg<N>,
\t           +|-[u]<offset>(<fetcharg>), \\imm-value, \\"imm-string"
\t     type: s8/16/32/64, u8/16/32/64, x8/16/32/64, char, string, symbol,
\t           b<bit-width>@<bit-offset>/<container-size>, ustring,
\t           symstr, <type>\\[<array-size>\\]

  events/\t\t- Directory containing all trace event subsystems:
      enable\t\t- Write 0/1 to enable/disable tracing of all events
  events/<system>/\t- Directory containing all trace events for <system>:
      enable\t\t- Write 0/1 to enable/disable tracing of all <system>
\t\t\t  events
      filter\t\t- If set, only events passing filter are traced
  events/<system>/<event>/\t- Directory containing control files for
\t\t\t  <event>:
      enable\t\t- Write 0/1 to enable/disable tracing of <event>
      filter\t\t- If set, only events passing filter are traced
`;
