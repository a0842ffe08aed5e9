/** systemd integration: socket activation ({@code LISTEN_FDS}) and {@code sd_notify}. */
package io.qilin.arbiter.systemd;
