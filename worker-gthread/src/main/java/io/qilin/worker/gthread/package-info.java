/** The {@code gthread} worker kind: a pool of task threads and keep-alive connections, on Undertow. */
package io.qilin.worker.gthread;
