/** A plain Jakarta Servlet application (servlet, filter, listener) for the gthread worker. */
package io.qilin.examples.servlet;
