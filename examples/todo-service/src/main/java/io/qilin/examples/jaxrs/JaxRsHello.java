package io.qilin.examples.jaxrs;

import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;
import org.glassfish.jersey.servlet.ServletContainer;

/**
 * A JAX-RS application on Jersey's servlet, with no database:
 * {@code qilin -k gthread --classpath 'examples/todo-service/*' io.qilin.examples.jaxrs.JaxRsHello::servlet}.
 */
public final class JaxRsHello {
    private JaxRsHello() {
    }

    /** Jersey's servlet serving {@link HelloResource}; gthread maps it to {@code /*}. */
    public static ServletContainer servlet() {
        return new ServletContainer(new ResourceConfig(HelloResource.class)
                .property(ServerProperties.WADL_FEATURE_DISABLE, true)); // WADL needs JAXB, which is not here
    }
}
