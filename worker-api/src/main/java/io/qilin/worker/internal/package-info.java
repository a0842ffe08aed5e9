/**
 * Plumbing shared by the master and the worker JVMs: adopting inherited file descriptors, the
 * scoreboard, the parent-death watch, thread dumps, log reopening, worker-kind lookup, and the HTTP/1.1
 * request rules every kind applies ({@link io.qilin.worker.internal.StrictHttp1}).
 * Internal: not for worker authors, and free to change between releases.
 */
package io.qilin.worker.internal;
