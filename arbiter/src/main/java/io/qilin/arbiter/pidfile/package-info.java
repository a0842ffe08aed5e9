/** The pidfile, with Gunicorn's rules. */
package io.qilin.arbiter.pidfile;
