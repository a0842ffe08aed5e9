/** The example service: todos over JAX-RS (Jersey) on gthread, HikariCP, PostgreSQL, Flyway. */
package io.qilin.examples.todo;
