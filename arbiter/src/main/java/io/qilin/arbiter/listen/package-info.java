/** Listening sockets: parsing {@code --bind}, binding once in the master, adopting inherited fds. */
package io.qilin.arbiter.listen;
