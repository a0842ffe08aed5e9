/** Starting worker processes with {@code posix_spawnp}, reaping them and signalling them, through libc. */
package io.qilin.arbiter.spawn;
