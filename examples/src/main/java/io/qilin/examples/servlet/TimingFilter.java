package io.qilin.examples.servlet;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** Says, in a response header, how long the rest of the chain took to start the response. */
public class TimingFilter extends HttpFilter {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        long start = System.nanoTime();
        response.setHeader("X-Filter", "timing");
        chain.doFilter(request, response);
        if (!response.isCommitted()) {
            response.setHeader("X-Elapsed-Micros", Long.toString((System.nanoTime() - start) / 1000));
        }
    }
}
