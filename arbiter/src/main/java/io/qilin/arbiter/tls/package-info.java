/** The TLS certificate and key, read and checked in the master before any worker starts. */
package io.qilin.arbiter.tls;
