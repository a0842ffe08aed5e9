/** The {@code sync} worker kind: one request at a time per process, blocking, no keep-alive. */
package io.qilin.worker.sync;
