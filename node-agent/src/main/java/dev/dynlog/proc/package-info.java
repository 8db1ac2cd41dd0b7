/**
 * The host's processes as a node agent needs them: which container a process runs in ({@link
 * dev.dynlog.proc.ContainerRef}, from {@code /proc/PID/cgroup} lines of every cgroup layout and
 * runtime, or a pod status' container ID), the processes of {@code /proc} ({@link
 * dev.dynlog.proc.ProcessTable}: pid, start time, name, executable, container, state) and a
 * Tracepoint's {@code processName} filter, and opening a container's binary through the container's
 * own root without following symlinks out of it ({@link dev.dynlog.proc.SafeOpen}: {@code openat2}
 * with {@code RESOLVE_IN_ROOT}), with the file's device and inode to resolve each binary once per
 * node.
 *
 * <p>May use: nothing of dynlog (a leaf; JNA for {@code openat2}).
 */
package dev.dynlog.proc;
