/**
 * The worker side's own plumbing: the parent-death watch, the log back end a worker finds by
 * ServiceLoader, the probes of the conformance kit and the PROXY protocol
 * ({@link io.qilin.worker.internal.ProxyHeader}, {@link io.qilin.worker.internal.ProxyProtocol}) the kinds share. Internal: not for worker authors, and free to
 * change between releases; the master never uses it (what it shares with workers is
 * {@link io.qilin.worker.protocol}).
 */
package io.qilin.worker.internal;
