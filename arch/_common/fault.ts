// Copyright 2026 the kprobes-sim authors. MIT license.
// The fault record is part of the public memory contract (arch/fault.ts);
// arch-internal code keeps importing it from here.
export { Fault } from "../fault.ts";
