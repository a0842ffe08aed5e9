/** Example applications: portable JDK {@code HttpHandler}s that run on every worker kind. */
package io.qilin.examples;
