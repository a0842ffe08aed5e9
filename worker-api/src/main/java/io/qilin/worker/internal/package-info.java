/**
 * Plumbing shared by the master and the worker JVMs: adopting inherited file descriptors, the
 * scoreboard, the parent-death watch, thread dumps, log reopening and worker-kind lookup.
 * Internal: not for worker authors, and free to change between releases.
 */
package io.qilin.worker.internal;
