package io.qilin.examples.servlet;

import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRegistration;
import java.util.EnumSet;
import java.util.Set;

/**
 * A plain servlet application on gthread: {@code qilin -k gthread io.qilin.examples.servlet.HelloServlets}.
 * It registers, as a {@code web.xml} would, the {@link HelloServlet} at {@code /} and {@code /hello/*},
 * the {@link TimingFilter} on every request, and the {@link Lifecycle} listener.
 */
public class HelloServlets implements ServletContainerInitializer {
    @Override
    public void onStartup(Set<Class<?>> ignored, ServletContext context) {
        ServletRegistration.Dynamic hello = context.addServlet("hello", HelloServlet.class);
        hello.setInitParameter("greeting", "Hello");
        hello.addMapping("", "/hello/*");
        FilterRegistration.Dynamic timing = context.addFilter("timing", TimingFilter.class);
        timing.addMappingForUrlPatterns(EnumSet.of(jakarta.servlet.DispatcherType.REQUEST), false, "/*");
        context.addListener(Lifecycle.class);
    }
}
