/**
 * The master process: {@link io.qilin.arbiter.Arbiter} holds the supervision loop (read it first),
 * {@link io.qilin.arbiter.Main} the command line.
 */
package io.qilin.arbiter;
