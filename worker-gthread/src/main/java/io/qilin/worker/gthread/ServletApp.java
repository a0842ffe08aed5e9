package io.qilin.worker.gthread;

import io.qilin.worker.AppLoadException;
import io.undertow.Handlers;
import io.undertow.server.HttpHandler;
import io.undertow.servlet.Servlets;
import io.undertow.servlet.api.DeploymentInfo;
import io.undertow.servlet.api.DeploymentManager;
import io.undertow.servlet.api.ServletContainerInitializerInfo;
import io.undertow.servlet.util.ImmediateInstanceFactory;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletException;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Jakarta Servlet application deployed on undertow-servlet, from one of:
 * <ul>
 *   <li>a {@link Servlet}: mapped to {@code /*};</li>
 *   <li>a {@link ServletContainerInitializer}: it registers servlets, filters and listeners in
 *       {@code onStartup} (its {@code @HandlesTypes} set is empty: nothing scans the classpath);</li>
 *   <li>a {@link DeploymentInfo} (from a static factory such as {@code com.example.App::deployment}):
 *       the whole deployment, built with Undertow's {@link Servlets} API.</li>
 * </ul>
 * {@link #deploy} runs the {@code ServletContextListener}s' {@code contextInitialized} before the
 * worker is ready; {@link #undeploy} runs {@code contextDestroyed} and the servlets' {@code destroy}
 * once the worker has drained (TERM, reload, max-requests).
 */
final class ServletApp {
    private static final Logger log = LoggerFactory.getLogger(ServletApp.class);

    /** The application types this class deploys. */
    static final List<Class<?>> TYPES = List.of(Servlet.class, ServletContainerInitializer.class, DeploymentInfo.class);

    private final DeploymentManager manager;
    private final HttpHandler handler;
    private final String contextPath;

    private ServletApp(DeploymentManager manager, HttpHandler handler, String contextPath) {
        this.manager = manager;
        this.handler = handler;
        this.contextPath = contextPath;
    }

    static boolean deploys(Object app) {
        return TYPES.stream().anyMatch(type -> type.isInstance(app));
    }

    /**
     * Deploys and starts the application, named {@code name} unless its deployment names itself, at
     * {@code contextPath} (null: the deployment's own, else /).
     * A listener, initializer or servlet that fails to start fails the worker's boot as an app load error.
     */
    static ServletApp deploy(Object app, String name, String contextPath, ClassLoader loader) throws AppLoadException {
        DeploymentInfo info = deployment(app);
        if (contextPath != null) {
            info.setContextPath(contextPath);
        } else if (info.getContextPath() == null || info.getContextPath().isEmpty()) {
            info.setContextPath("/");
        }
        if (info.getClassLoader() == null) {
            info.setClassLoader(loader);
        }
        if (info.getDeploymentName() == null) {
            info.setDeploymentName(name);
        }
        DeploymentManager manager = Servlets.newContainer().addDeployment(info);
        try {
            manager.deploy();
            HttpHandler started = manager.start();
            String path = info.getContextPath();
            HttpHandler handler = path.equals("/") ? started : Handlers.path().addPrefixPath(path, started);
            log.info("Servlet application {} deployed at {}", info.getDeploymentName(), path);
            return new ServletApp(manager, handler, path);
        } catch (ServletException | RuntimeException e) {
            Throwable cause = e instanceof ServletException && e.getCause() != null ? e.getCause() : e;
            throw new AppLoadException("the servlet application " + info.getDeploymentName()
                    + " failed to start: " + cause, cause);
        }
    }

    private static DeploymentInfo deployment(Object app) {
        if (app instanceof DeploymentInfo) {
            return (DeploymentInfo) app;
        }
        DeploymentInfo info = Servlets.deployment();
        if (app instanceof ServletContainerInitializer) {
            ServletContainerInitializer initializer = (ServletContainerInitializer) app;
            info.addServletContainerInitializer(new ServletContainerInitializerInfo(initializer.getClass(),
                    new ImmediateInstanceFactory<>(initializer), Set.of()));
        } else {
            Servlet servlet = (Servlet) app;
            info.addServlet(Servlets.servlet(servlet.getClass().getSimpleName(), servlet.getClass(),
                    new ImmediateInstanceFactory<>(servlet)).addMapping("/*"));
        }
        return info;
    }

    /** The Undertow handler that serves the deployment (dispatching to the task threads). */
    HttpHandler handler() {
        return handler;
    }

    /** Stops the deployment: {@code contextDestroyed} on every listener, {@code destroy} on every servlet. */
    void undeploy() {
        try {
            manager.stop();
        } catch (ServletException | RuntimeException e) {
            log.warn("Stopping the servlet application at {} failed: {}", contextPath, e.toString(), e);
        }
        manager.undeploy();
        log.info("Servlet application at {} undeployed", contextPath);
    }
}
