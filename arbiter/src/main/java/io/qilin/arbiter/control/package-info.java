/**
 * The master's control surface: the unix control socket that {@code qilin ctl} talks to (JSON lines,
 * owner only), the snapshots of the master's state that the loop publishes for it, and the
 * Prometheus endpoint ({@code --metrics-bind}). Nothing here touches the worker table: commands that
 * act on workers are queued for the loop thread ({@link io.qilin.arbiter.control.ControlTarget}).
 */
package io.qilin.arbiter.control;
