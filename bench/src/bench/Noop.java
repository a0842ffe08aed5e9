package bench;

/** The floor of JVM start and exit: a main that does nothing. */
public final class Noop {
    public static void main(String[] args) {
    }
}
