/**
 * The teaching kernel's browser-safe entry point: the kernel, its file
 * system, the observer and snapshot types, and the CPU-worker protocol
 * (a host starts workers that call `serveCpu`). Nothing here imports Node;
 * the `vmio-kernel` command (`kernel/cli.ts`) is the Node wrapper.
 *
 * @module
 */

export { Kernel, SpawnError, DeadlockError, type KernelOptions, type SpawnOptions, type ExitInfo, type TerminalOptions } from "./kernel.js";
export { type KernelSnapshot, type ProcessInfo, type RegionInfo, type PageInfo } from "./snapshot.js";
export { FileSystem, type FileSystemOptions } from "../fs/file-system.js";
export { type KernelObserver } from "../proc/kernel-observer.js";
export { type KernelStats } from "../proc/kernel-stats.js";
export { type FaultEvent, type FaultResolution } from "../mm/mm-events.js";
export { serveCpu } from "../smp/cpu-server.js";
export { type CpuFactory, type CpuPort, type KernelPort } from "../smp/cpu-protocol.js";
