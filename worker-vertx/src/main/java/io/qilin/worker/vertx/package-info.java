/**
 * The {@code vertx} worker kind: Vert.x 5 HTTP servers on native epoll over the inherited listening
 * sockets, one event loop per {@code --threads}, serving portable and native Vert.x applications.
 */
package io.qilin.worker.vertx;
