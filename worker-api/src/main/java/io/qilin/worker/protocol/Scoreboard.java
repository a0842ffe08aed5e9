package io.qilin.worker.protocol;

import java.io.Closeable;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One memory-mapped file shared by the master and its workers, one fixed-size slot per worker. A
 * worker bumps its beat counter from the thread that must not hang; the master notes, on its own
 * monotonic clock, when it last saw the counter change. No clock is shared between processes and
 * a beat costs no syscall.
 */
public final class Scoreboard implements Closeable {
    /** Bytes per slot. */
    public static final int SLOT_SIZE = 256;

    private static final int PID = 0;            // long
    private static final int GENERATION = 8;     // int
    private static final int STATE = 12;         // int
    private static final int BEATS = 16;         // long
    private static final int REQUESTS = 24;      // long
    private static final int IN_FLIGHT = 32;     // long
    private static final int REQUEST_START = 40; // long, epoch millis of the request in progress, 0 = none
    private static final int HEAP_USED = 48;     // long, bytes, sampled at most once a second
    private static final int HEAP_MAX = 56;      // long, bytes
    private static final int LINE_LENGTH = 64;   // int
    private static final int LINE = 68;          // bytes up to WARMUP_MILLIS
    private static final int WARMUP_MILLIS = SLOT_SIZE - 8; // long, the worker's warm-up time
    private static final int LINE_MAX = WARMUP_MILLIS - LINE;

    private static final VarHandle LONGS =
            MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private static final VarHandle INTS =
            MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());

    /**
     * What a worker is doing, as far as the master needs to know. {@code RECYCLE}: ready and serving, and
     * asking the master to replace it (it reached --max-requests); it stops once the master TERMs it.
     */
    public enum State { FREE, BOOTING, READY, DRAINING, RECYCLE;

        /** It has booted and accepts connections. */
        public boolean serving() {
            return this == READY || this == RECYCLE;
        }
    }

    private final FileChannel file;
    private final MappedByteBuffer map;
    private final int slots;

    private Scoreboard(FileChannel file, int slots) throws IOException {
        this.file = file;
        this.slots = slots;
        this.map = file.map(FileChannel.MapMode.READ_WRITE, 0, (long) slots * SLOT_SIZE);
    }

    /**
     * Creates a scoreboard file with room for {@code slots} workers; the master's side. The file must
     * not exist yet: never over an existing file, never through a link.
     */
    public static Scoreboard create(Path path, int slots) throws IOException {
        return new Scoreboard(FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS), slots);
    }

    /**
     * Maps, cleared, a scoreboard file the master created and holds open itself (its owner and mode set
     * through the descriptor), named by {@code /proc/self/fd/N}; the master's side.
     */
    public static Scoreboard mapOpen(Path openFile, int slots) throws IOException {
        FileChannel ch = FileChannel.open(openFile, StandardOpenOption.READ, StandardOpenOption.WRITE);
        ch.truncate(0);
        return new Scoreboard(ch, slots);
    }

    /** Opens an existing scoreboard; the worker's side. */
    public static Scoreboard open(Path path) throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        return new Scoreboard(ch, (int) (ch.size() / SLOT_SIZE));
    }

    public int slots() {
        return slots;
    }

    public Slot slot(int index) {
        if (index < 0 || index >= slots) {
            throw new IllegalArgumentException("no scoreboard slot " + index + " (there are " + slots + ")");
        }
        return new Slot(index * SLOT_SIZE);
    }

    @Override
    public void close() throws IOException {
        file.close();
    }

    /** {@code GET /a?token=x HTTP/1.1} as {@code GET /a HTTP/1.1}. */
    static String withoutQuery(String line) {
        int q = line.indexOf('?');
        if (q < 0) {
            return line;
        }
        int end = line.indexOf(' ', q);
        return end < 0 ? line.substring(0, q) : line.substring(0, q) + line.substring(end);
    }

    /** A worker's slot. Writes are atomic per field; readers may see fields from different moments. */
    public final class Slot {
        private final int base;

        private Slot(int base) {
            this.base = base;
        }

        /** Clears the slot for a new worker; the master's side, before the spawn. */
        public void reset(int generation) {
            for (int i = 0; i < SLOT_SIZE; i += 8) {
                LONGS.setVolatile(map, base + i, 0L);
            }
            INTS.setVolatile(map, base + GENERATION, generation);
            INTS.setVolatile(map, base + STATE, State.BOOTING.ordinal());
        }

        public void free() {
            INTS.setVolatile(map, base + STATE, State.FREE.ordinal());
        }

        public void pid(long pid) {
            LONGS.setVolatile(map, base + PID, pid);
        }

        public long pid() {
            return (long) LONGS.getVolatile(map, base + PID);
        }

        public int generation() {
            return (int) INTS.getVolatile(map, base + GENERATION);
        }

        public void state(State state) {
            INTS.setVolatile(map, base + STATE, state.ordinal());
        }

        public State state() {
            int s = (int) INTS.getVolatile(map, base + STATE);
            return s >= 0 && s < State.values().length ? State.values()[s] : State.FREE;
        }

        /** The heartbeat: cheap, lock-free, callable from any thread. */
        public void beat() {
            LONGS.getAndAddRelease(map, base + BEATS, 1L);
        }

        public long beats() {
            return (long) LONGS.getVolatile(map, base + BEATS);
        }

        /**
         * A request started: counts it and records its line for {@code qilin ctl status}, without the
         * query string (tokens travel there; the scoreboard is not a place for secrets).
         */
        public void requestStarted(String line) {
            LONGS.getAndAdd(map, base + REQUESTS, 1L);
            LONGS.getAndAdd(map, base + IN_FLIGHT, 1L);
            byte[] bytes = withoutQuery(line).getBytes(StandardCharsets.UTF_8);
            int n = Math.min(bytes.length, LINE_MAX);
            map.put(base + LINE, bytes, 0, n);
            INTS.setVolatile(map, base + LINE_LENGTH, n);
            LONGS.setVolatile(map, base + REQUEST_START, System.currentTimeMillis());
        }

        public void requestFinished() {
            if ((long) LONGS.getAndAdd(map, base + IN_FLIGHT, -1L) <= 1L) {
                LONGS.setVolatile(map, base + REQUEST_START, 0L);
            }
        }

        public long requests() {
            return (long) LONGS.getVolatile(map, base + REQUESTS);
        }

        public long inFlight() {
            return (long) LONGS.getVolatile(map, base + IN_FLIGHT);
        }

        /** Epoch millis the request in progress started at, 0 when idle. */
        public long requestStart() {
            return (long) LONGS.getVolatile(map, base + REQUEST_START);
        }

        /** The worker's heap, for {@code qilin ctl status}: the master cannot see another JVM's heap. */
        public void heap(long used, long max) {
            LONGS.setVolatile(map, base + HEAP_USED, used);
            LONGS.setVolatile(map, base + HEAP_MAX, max);
        }

        /** Heap bytes in use when last sampled; 0 before the first sample. */
        public long heapUsed() {
            return (long) LONGS.getVolatile(map, base + HEAP_USED);
        }

        /** The most heap the worker may use (-Xmx), bytes; 0 before the first sample. */
        public long heapMax() {
            return (long) LONGS.getVolatile(map, base + HEAP_MAX);
        }

        /** How long the worker's warm-up took, ms; 0 without one, or before it is done. */
        public void warmupMillis(long millis) {
            LONGS.setVolatile(map, base + WARMUP_MILLIS, millis);
        }

        public long warmupMillis() {
            return (long) LONGS.getVolatile(map, base + WARMUP_MILLIS);
        }

        public String requestLine() {
            int n = Math.min(Math.max((int) INTS.getVolatile(map, base + LINE_LENGTH), 0), LINE_MAX);
            byte[] bytes = new byte[n];
            for (int i = 0; i < n; i++) {
                bytes[i] = map.get(base + LINE + i);
            }
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }
}
