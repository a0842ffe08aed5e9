/** A JAX-RS application on Jersey, without a database. */
package io.qilin.examples.jaxrs;
