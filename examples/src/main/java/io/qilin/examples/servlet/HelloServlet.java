package io.qilin.examples.servlet;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** {@code GET /}: "Hello, World!"; {@code GET /hello/NAME}: "Hello, NAME!"; the greeting is an init parameter. */
public class HelloServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String name = request.getPathInfo() == null || request.getPathInfo().length() < 2 ? "World"
                : request.getPathInfo().substring(1);
        String greeting = getInitParameter("greeting") == null ? "Hello" : getInitParameter("greeting");
        byte[] body = (greeting + ", " + name + "!\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        response.setContentType("text/plain; charset=utf-8");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
