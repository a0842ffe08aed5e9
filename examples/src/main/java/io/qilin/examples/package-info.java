/** Example applications: portable JDK {@code HttpHandler}s that run on every worker kind; the servlet and web subpackages are for gthread and vertx. */
package io.qilin.examples;
