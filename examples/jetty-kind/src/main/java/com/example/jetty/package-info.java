/**
 * A worker kind on Jetty 12, written as a third party would write one: against {@code qilin-worker-api}
 * and Jetty only, checked with {@code qilin-worker-tck}. Selected with {@code --worker-class jetty}.
 */
package com.example.jetty;
