package io.qilin.worker.gthread;

import io.undertow.servlet.Servlets;
import io.undertow.servlet.api.DeploymentInfo;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/** Servlet applications in each form gthread deploys, recording their lifecycle for the tests. */
public final class ServletApps {
    static final AtomicInteger initialized = new AtomicInteger();
    static final AtomicInteger destroyed = new AtomicInteger();

    private ServletApps() {
    }

    /** Answers with its init parameter, the context path and the servlet path; /boom throws. */
    public static final class Greeting extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            if (request.getPathInfo() != null && request.getPathInfo().equals("/boom")) {
                throw new IllegalStateException("boom");
            }
            String greeting = getInitParameter("greeting") == null ? "hello" : getInitParameter("greeting");
            response.setContentType("text/plain");
            response.getWriter().print(greeting + " context=" + request.getContextPath() + " secure="
                    + request.isSecure() + "\n");
        }
    }

    /** Adds a response header to every request. */
    public static final class Stamp implements Filter {
        @Override
        public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
                throws IOException, ServletException {
            ((HttpServletResponse) response).setHeader("X-Filtered", "yes");
            chain.doFilter(request, response);
        }
    }

    /** Counts the context's start and end. */
    public static final class Lifecycle implements ServletContextListener {
        @Override
        public void contextInitialized(ServletContextEvent event) {
            initialized.incrementAndGet();
        }

        @Override
        public void contextDestroyed(ServletContextEvent event) {
            destroyed.incrementAndGet();
        }
    }

    /** The initializer form: registers the servlet, the filter and the listener in code. */
    public static final class Initializer implements ServletContainerInitializer {
        @Override
        public void onStartup(Set<Class<?>> classes, ServletContext context) {
            var servlet = context.addServlet("greeting", Greeting.class);
            servlet.setInitParameter("greeting", "hi from an initializer");
            servlet.addMapping("/*");
            context.addFilter("stamp", Stamp.class).addMappingForUrlPatterns(null, false, "/*");
            context.addListener(Lifecycle.class);
        }
    }

    /** A listener that cannot start (its database is down, say). */
    public static final class Failing implements ServletContainerInitializer {
        @Override
        public void onStartup(Set<Class<?>> classes, ServletContext context) {
            context.addListener(new ServletContextListener() {
                @Override
                public void contextInitialized(ServletContextEvent event) {
                    throw new IllegalStateException("no database");
                }
            });
        }
    }

    /** The deployment form, with Undertow's builder. */
    public static DeploymentInfo deployment() {
        return Servlets.deployment()
                .setContextPath("/built")
                .addServlet(Servlets.servlet("greeting", Greeting.class).addInitParam("greeting", "built").addMapping("/*"))
                .addFilter(Servlets.filter("stamp", Stamp.class))
                .addFilterUrlMapping("stamp", "/*", jakarta.servlet.DispatcherType.REQUEST)
                .addListener(Servlets.listener(Lifecycle.class));
    }
}
