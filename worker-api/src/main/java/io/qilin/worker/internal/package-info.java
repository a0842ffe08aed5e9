/**
 * Plumbing shared by the master and the worker JVMs: adopting inherited file descriptors, the
 * scoreboard, the parent-death watch, thread dumps, log reopening, worker-kind lookup, the allow lists
 * and the PROXY protocol ({@link io.qilin.worker.internal.ProxyHeader}, {@link io.qilin.worker.internal.ProxyProtocol}).
 * Internal: not for worker authors, and free to change between releases.
 */
package io.qilin.worker.internal;
