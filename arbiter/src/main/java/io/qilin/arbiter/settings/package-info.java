/**
 * The settings registry: every setting declared once in {@link io.qilin.arbiter.settings.Settings},
 * driving the command line, the config file, {@code QILIN_CMD_ARGS}, {@code --print-config} and the
 * settings reference in the docs.
 */
package io.qilin.arbiter.settings;
