package io.qilin.worker;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Loads the application a worker serves from its spec:
 * <ul>
 *   <li>{@code com.example.Hello}: a public class with a public no-argument constructor;</li>
 *   <li>{@code com.example.App::handler}: a public static field, or a public static no-argument
 *       method returning the handler; or a public static method taking one {@link HttpExchange},
 *       which is served as a {@link HttpHandler}; or a public static method taking one argument of a
 *       type the kind provides ({@code factoryArguments}, e.g. {@code Vertx}), returned as an
 *       {@link AppFactory} the kind calls once it serves.</li>
 * </ul>
 * The result must be an instance of one of the types the worker kind serves; the JDK's
 * {@link HttpHandler} is the portable one every kind accepts.
 */
public final class AppLoader {
    private AppLoader() {
    }

    public static Object load(String spec, ClassLoader loader, List<Class<?>> accepted) throws AppLoadException {
        return load(spec, loader, accepted, List.of());
    }

    /**
     * As {@link #load(String, ClassLoader, List)}; a static method whose one parameter is of a type in
     * {@code factoryArguments} and whose return type is accepted is returned as an {@link AppFactory}.
     */
    public static Object load(String spec, ClassLoader loader, List<Class<?>> accepted, List<Class<?>> factoryArguments)
            throws AppLoadException {
        if (spec == null || spec.isBlank()) {
            throw new AppLoadException("no application given: name a class such as com.example.Hello, "
                    + "or a member such as com.example.App::handler");
        }
        int sep = spec.indexOf("::");
        String className = sep < 0 ? spec : spec.substring(0, sep);
        String member = sep < 0 ? null : spec.substring(sep + 2);
        Class<?> c;
        try {
            c = Class.forName(className, true, loader);
        } catch (ClassNotFoundException e) {
            throw new AppLoadException("application class " + className + " was not found on the worker classpath; "
                    + "check the name, and --classpath");
        } catch (LinkageError e) {
            throw new AppLoadException("application class " + className + " could not be initialised: " + e, e);
        }
        Object app = member == null ? construct(c) : fromMember(c, member, accepted, factoryArguments);
        if (app instanceof AppFactory) {
            return app;
        }
        for (Class<?> type : accepted) {
            if (type.isInstance(app)) {
                return app;
            }
        }
        throw new AppLoadException("application " + spec + " is a " + app.getClass().getName()
                + ", but this worker kind serves " + accepted.stream().map(Class::getName)
                        .collect(Collectors.joining(" or ")));
    }

    private static Object construct(Class<?> c) throws AppLoadException {
        if (!Modifier.isPublic(c.getModifiers()) || Modifier.isAbstract(c.getModifiers())) {
            throw new AppLoadException("application class " + c.getName() + " must be public and concrete");
        }
        try {
            return c.getConstructor().newInstance();
        } catch (NoSuchMethodException e) {
            throw new AppLoadException("application class " + c.getName() + " has no public no-argument constructor; "
                    + "add one, or name a factory as " + c.getName() + "::member");
        } catch (InvocationTargetException e) {
            throw new AppLoadException("the constructor of " + c.getName() + " threw " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new AppLoadException("cannot create " + c.getName() + ": " + e, e);
        }
    }

    private static Object fromMember(Class<?> c, String member, List<Class<?>> accepted, List<Class<?>> factoryArguments)
            throws AppLoadException {
        String where = c.getName() + "::" + member;
        try {
            Field f = c.getField(member);
            if (Modifier.isStatic(f.getModifiers())) {
                Object v = f.get(null);
                if (v == null) {
                    throw new AppLoadException(where + " is null");
                }
                return v;
            }
        } catch (NoSuchFieldException e) {
            // try methods next
        } catch (IllegalAccessException e) {
            throw new AppLoadException("cannot read " + where + ": " + e, e);
        }
        for (Method m : c.getMethods()) {
            if (!m.getName().equals(member) || !Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            if (m.getParameterCount() == 0) {
                try {
                    Object v = m.invoke(null);
                    if (v == null) {
                        throw new AppLoadException(where + "() returned null");
                    }
                    return v;
                } catch (InvocationTargetException e) {
                    throw new AppLoadException(where + "() threw " + e.getCause(), e.getCause());
                } catch (IllegalAccessException e) {
                    throw new AppLoadException("cannot call " + where + ": " + e, e);
                }
            }
            if (m.getParameterCount() == 1 && m.getParameterTypes()[0] == HttpExchange.class
                    && accepted.contains(HttpHandler.class)) {
                return (HttpHandler) exchange -> invokeHandler(m, exchange);
            }
            if (m.getParameterCount() == 1 && factoryArguments.contains(m.getParameterTypes()[0])) {
                if (accepted.stream().noneMatch(type -> type.isAssignableFrom(m.getReturnType()))) {
                    throw new AppLoadException(where + " returns a " + m.getReturnType().getName()
                            + ", but this worker kind serves " + accepted.stream().map(Class::getName)
                                    .collect(Collectors.joining(" or ")));
                }
                return new AppFactory(m);
            }
        }
        throw new AppLoadException("application class " + c.getName() + " has no public static field or method named '"
                + member + "'");
    }

    private static void invokeHandler(Method m, HttpExchange exchange) throws java.io.IOException {
        try {
            m.invoke(null, exchange);
        } catch (InvocationTargetException e) {
            Throwable t = e.getCause();
            if (t instanceof java.io.IOException) {
                throw (java.io.IOException) t;
            }
            if (t instanceof RuntimeException) {
                throw (RuntimeException) t;
            }
            if (t instanceof Error) {
                throw (Error) t;
            }
            throw new IllegalStateException(t);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }
}
