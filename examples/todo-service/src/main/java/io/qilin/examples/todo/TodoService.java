package io.qilin.examples.todo;

import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRegistration;
import java.util.Set;
import org.glassfish.jersey.internal.inject.AbstractBinder;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;
import org.glassfish.jersey.servlet.ServletContainer;

/**
 * The todo service: JAX-RS resources (Jersey) behind one servlet, and the {@link Database} listener
 * that opens the worker's pool as the context starts and closes it as it ends.
 * <pre>
 * qilin -k gthread -w 2 --classpath 'examples/todo-service/*' io.qilin.examples.todo.TodoService
 * </pre>
 */
public final class TodoService implements ServletContainerInitializer {
    @Override
    public void onStartup(Set<Class<?>> ignored, ServletContext context) {
        Database database = new Database(System.getenv());
        context.addListener(database);
        ResourceConfig api = new ResourceConfig(TodoResource.class, Health.class)
                .register(new AbstractBinder() { // what the resources' @Inject constructors get
                    @Override
                    protected void configure() {
                        bind(database).to(Database.class);
                    }
                })
                .property(ServerProperties.WADL_FEATURE_DISABLE, true); // WADL needs JAXB, which is not here
        ServletRegistration.Dynamic jersey = context.addServlet("jersey", new ServletContainer(api));
        jersey.setLoadOnStartup(1); // Jersey starts with the worker, not on its first request
        jersey.addMapping("/*");
    }
}
