/**
 * The worker side's own plumbing: the parent-death watch, the log back end a worker finds by
 * ServiceLoader, the probes of the conformance kit, and what every kind applies to its connections:
 * the HTTP/1.1 request rules ({@link io.qilin.worker.internal.StrictHttp1}) and the PROXY protocol
 * ({@link io.qilin.worker.internal.ProxyHeader}, {@link io.qilin.worker.internal.ProxyProtocol}).
 * Internal: not for worker authors, and free to change between releases; the master never uses it
 * (what it shares with workers is {@link io.qilin.worker.protocol}).
 */
package io.qilin.worker.internal;
