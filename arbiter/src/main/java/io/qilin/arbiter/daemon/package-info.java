/** {@code -D}: the launching process waits until the detached master has started, or says why it did not. */
package io.qilin.arbiter.daemon;
