package io.qilin.worker.protocol;

import io.qilin.worker.WorkerKind;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/**
 * Finds worker kinds: a name is looked up among the kinds {@link ServiceLoader} finds on a class
 * loader; a name with a dot names a {@link WorkerKind} class and skips discovery (as SLF4J's
 * {@code slf4j.provider} does). Each provider is created in its own try, so one broken jar is
 * reported without hiding the others.
 */
public final class WorkerKinds {
    /** Names only Qilin's own kinds may use. */
    static final List<String> RESERVED = List.of("sync", "gthread", "vertx");

    private final Map<String, List<WorkerKind>> byName = new LinkedHashMap<>();
    private final List<String> problems = new ArrayList<>();

    private WorkerKinds() {
    }

    /** Discovers every kind visible to {@code loader}. */
    public static WorkerKinds discover(ClassLoader loader) {
        WorkerKinds kinds = new WorkerKinds();
        Iterator<WorkerKind> it = ServiceLoader.load(WorkerKind.class, loader).iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                WorkerKind kind = it.next();
                kinds.byName.computeIfAbsent(kind.name(), k -> new ArrayList<>()).add(kind);
            } catch (ServiceConfigurationError e) {
                kinds.problems.add("a worker kind could not be loaded: " + e.getMessage());
            }
        }
        return kinds;
    }

    /** Problems met while discovering (broken providers), one line each. */
    public List<String> problems() {
        return problems;
    }

    /**
     * The kind {@code --worker-class} names.
     *
     * @throws IllegalArgumentException with a message fit for the user when there is none, or when
     *     the name is ambiguous
     */
    public WorkerKind select(String nameOrClass, ClassLoader loader) {
        if (nameOrClass.contains(".")) {
            return instantiate(nameOrClass, loader);
        }
        List<WorkerKind> found = byName.getOrDefault(nameOrClass, List.of());
        if (found.isEmpty()) {
            throw new IllegalArgumentException("no worker kind named '" + nameOrClass + "'; found: " + describe()
                    + "; check --worker-class, or add the jar that provides it to --classpath");
        }
        if (found.size() > 1) {
            throw new IllegalArgumentException("two worker kinds are named '" + nameOrClass + "': "
                    + found.stream().map(k -> k.getClass().getName() + " (" + location(k.getClass()) + ")")
                            .collect(Collectors.joining(" and "))
                    + "; remove one, or select it by class name");
        }
        WorkerKind kind = found.get(0);
        if (RESERVED.contains(kind.name()) && !kind.getClass().getName().startsWith("io.qilin.")) {
            throw new IllegalArgumentException("the worker kind name '" + kind.name() + "' is reserved for Qilin's own "
                    + "kinds, but " + kind.getClass().getName() + " (" + location(kind.getClass()) + ") claims it");
        }
        return kind;
    }

    /** Every kind found, as {@code name (jar)}, comma separated. */
    public String describe() {
        if (byName.isEmpty()) {
            return "none";
        }
        return byName.values().stream().flatMap(List::stream)
                .map(k -> k.name() + " (" + location(k.getClass()) + ")")
                .collect(Collectors.joining(", "));
    }

    /** Every kind found, one per line: name, description. */
    public List<WorkerKind> all() {
        return byName.values().stream().flatMap(List::stream).collect(Collectors.toList());
    }

    private static WorkerKind instantiate(String className, ClassLoader loader) {
        try {
            Class<?> c = Class.forName(className, true, loader);
            if (!WorkerKind.class.isAssignableFrom(c)) {
                throw new IllegalArgumentException("--worker-class " + className + " is not a " + WorkerKind.class.getName());
            }
            return (WorkerKind) c.getConstructor().newInstance();
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException("no worker kind class '" + className
                    + "' on the worker classpath; check --worker-class and --classpath", e);
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalArgumentException("cannot create worker kind " + className + ": " + e, e);
        }
    }

    /** Where a class was loaded from: its jar's file name, or the directory. */
    public static String location(Class<?> c) {
        CodeSource cs = c.getProtectionDomain().getCodeSource();
        if (cs == null || cs.getLocation() == null) {
            return "unknown location";
        }
        String path = cs.getLocation().getPath();
        if (path.endsWith("/")) {
            return path;
        }
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
