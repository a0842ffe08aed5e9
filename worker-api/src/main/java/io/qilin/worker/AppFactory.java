package io.qilin.worker;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * An application given as a public static method that takes one object the worker kind provides
 * once it serves, such as {@code com.example.Api::router} with {@code static Router router(Vertx vertx)}
 * on {@code vertx}. The kind calls {@link #create} as often as it needs instances (Vert.x: once per
 * event loop). {@link AppLoader} returns one when the kind lists the parameter's type in its factory
 * arguments.
 */
public final class AppFactory {
    private final Method method;

    AppFactory(Method method) {
        this.method = method;
    }

    /** The type of the argument {@link #create} takes. */
    public Class<?> argumentType() {
        return method.getParameterTypes()[0];
    }

    /** Calls the factory; a failure or a null result is an {@link AppLoadException} naming the method. */
    public Object create(Object argument) throws AppLoadException {
        String where = method.getDeclaringClass().getName() + "::" + method.getName();
        try {
            Object app = method.invoke(null, argument);
            if (app == null) {
                throw new AppLoadException(where + "(" + argumentType().getSimpleName() + ") returned null");
            }
            return app;
        } catch (InvocationTargetException e) {
            throw new AppLoadException(where + "() threw " + e.getCause(), e.getCause());
        } catch (IllegalAccessException e) {
            throw new AppLoadException("cannot call " + where + ": " + e, e);
        }
    }

    @Override
    public String toString() {
        return method.getDeclaringClass().getName() + "::" + method.getName() + "(" + argumentType().getName() + ")";
    }
}
