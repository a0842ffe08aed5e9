/**
 * {@code qilin ctl}: the command line that talks to a running master over its control socket, one
 * picocli command class per subcommand under {@link io.qilin.arbiter.control.ctl.Ctl}.
 */
package io.qilin.arbiter.control.ctl;
