package io.qilin.arbiter.hooks;

import io.qilin.worker.ServerHooks;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code --hooks} class as the master runs it: loaded from {@code --classpath} (a reload loads it
 * afresh), and each call guarded, so a failing hook is logged, not fatal, except
 * {@code on_starting}, as in Gunicorn.
 */
public final class MasterHooks {
    private static final Logger log = LoggerFactory.getLogger(MasterHooks.class);
    private static final ServerHooks NONE = new ServerHooks() {
    };

    private final ServerHooks hooks;

    private MasterHooks(ServerHooks hooks) {
        this.hooks = hooks;
    }

    /** No hooks. */
    public static MasterHooks none() {
        return new MasterHooks(NONE);
    }

    /**
     * Loads {@code className} (a {@link ServerHooks} with a public no-argument constructor) from the
     * application's classpath.
     *
     * @throws IllegalArgumentException "Invalid value for hooks: ..." when it cannot be loaded
     */
    public static MasterHooks load(String className, List<URL> classpath) {
        if (className == null || className.isBlank()) {
            return none();
        }
        URLClassLoader loader = new URLClassLoader(classpath.toArray(new URL[0]), MasterHooks.class.getClassLoader());
        try {
            Class<?> c = Class.forName(className, true, loader);
            if (!ServerHooks.class.isAssignableFrom(c)) {
                throw new IllegalArgumentException("Invalid value for hooks: " + className + " (not a "
                        + ServerHooks.class.getName() + ")");
            }
            return new MasterHooks((ServerHooks) c.getConstructor().newInstance());
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException("Invalid value for hooks: " + className + " (not found on --classpath)", e);
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalArgumentException("Invalid value for hooks: " + className + " (" + e + ")", e);
        }
    }

    /** Runs {@code onStarting}; its failure stops the master. */
    public void onStarting(ServerHooks.Master master) {
        hooks.onStarting(master);
    }

    public void onReload(ServerHooks.Master master) {
        call("on_reload", h -> h.onReload(master));
    }

    public void whenReady(ServerHooks.Master master) {
        call("when_ready", h -> h.whenReady(master));
    }

    public void preFork(ServerHooks.Master master, ServerHooks.WorkerInfo worker) {
        call("pre_fork", h -> h.preFork(master, worker));
    }

    public void preExec(ServerHooks.Master master) {
        call("pre_exec", h -> h.preExec(master));
    }

    public void childExit(ServerHooks.Master master, ServerHooks.WorkerInfo worker) {
        call("child_exit", h -> h.childExit(master, worker));
    }

    public void nworkersChanged(ServerHooks.Master master, int newValue, int oldValue) {
        call("nworkers_changed", h -> h.nworkersChanged(master, newValue, oldValue));
    }

    public void onExit(ServerHooks.Master master) {
        call("on_exit", h -> h.onExit(master));
    }

    private void call(String name, Consumer<ServerHooks> hook) {
        try {
            hook.accept(hooks);
        } catch (RuntimeException | LinkageError e) {
            log.warn("The {} hook failed: {}", name, e.toString(), e);
        }
    }

    /** A worker as the master's hooks see it. */
    public static ServerHooks.WorkerInfo worker(long pid, int generation) {
        return new ServerHooks.WorkerInfo() {
            @Override
            public long pid() {
                return pid;
            }

            @Override
            public int generation() {
                return generation;
            }
        };
    }
}
