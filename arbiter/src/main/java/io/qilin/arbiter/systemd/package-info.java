/** systemd integration: socket activation ({@code LISTEN_FDS}) {@code sd_notify} and its watchdog. */
package io.qilin.arbiter.systemd;
