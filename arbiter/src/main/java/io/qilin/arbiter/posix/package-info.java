/**
 * The master's libc layer, through jnr-ffi: the one binding of libc ({@code LibC}) every other package
 * goes through, and on it starting processes with {@code posix_spawnp}, reaping and signalling them,
 * signal masks, user and group lookup.
 */
package io.qilin.arbiter.posix;
