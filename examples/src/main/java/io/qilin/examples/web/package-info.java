/** A Vert.x Web application (a Router factory) for the vertx worker. */
package io.qilin.examples.web;
