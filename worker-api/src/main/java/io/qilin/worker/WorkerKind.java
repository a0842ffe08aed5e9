package io.qilin.worker;

/**
 * A kind of worker process, found with {@link java.util.ServiceLoader} and chosen with
 * {@code --worker-class NAME} (or {@code --worker-class com.example.MyKind}, which names the class
 * and skips discovery).
 *
 * <p>An implementation is listed in {@code META-INF/services/io.qilin.worker.WorkerKind} and needs a
 * public no-argument constructor. The names {@code sync}, {@code gthread} and {@code vertx} are
 * reserved for Qilin's own kinds. Optional facts arrive as {@code default} methods, so adding one
 * breaks no kind.
 */
public interface WorkerKind {

    /** The name {@code --worker-class} selects this kind by: short, lower case, never null. */
    String name();

    /** One line for {@code --help} and for the list printed when a name is unknown. */
    String description();

    /**
     * Creates the worker of this process. Called once, in the worker JVM, before the application is
     * loaded; the worker's {@link Worker#initProcess()} is called next.
     */
    Worker create(WorkerContext context);
}
