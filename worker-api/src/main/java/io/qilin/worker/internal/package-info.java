/**
 * The worker side's own plumbing: the parent-death watch, the log back end a worker finds by
 * ServiceLoader, and the probes of the conformance kit. Internal: not for worker authors, and free to
 * change between releases; the master never uses it (what it shares with workers is
 * {@link io.qilin.worker.protocol}).
 */
package io.qilin.worker.internal;
