package io.qilin.tck;

import io.qilin.worker.Listener;
import io.qilin.worker.Worker;
import io.qilin.worker.WorkerContext;
import io.qilin.worker.WorkerKind;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Kinds that each break the worker contract in one way a real kind could, for the kit's own tests. */
public final class BrokenKinds {
    private BrokenKinds() {
    }

    /** Serves correctly: the kit's checks pass on it, which shows they fail only for a reason. */
    public static final class Tiny implements WorkerKind {
        @Override
        public String name() {
            return "tiny";
        }

        @Override
        public String description() {
            return "the kit's smallest conforming kind";
        }

        @Override
        public Worker create(WorkerContext context) {
            return new TinyWorker(context);
        }
    }

    /** Ignores TERM: keeps serving until the master kills it after --graceful-timeout (breaks C3). */
    public static final class IgnoresTerm implements WorkerKind {
        @Override
        public String name() {
            return "ignores-term";
        }

        @Override
        public String description() {
            return "a kind whose handleExit does nothing";
        }

        @Override
        public Worker create(WorkerContext context) {
            return new TinyWorker(context) {
                @Override
                protected void handleExit() {
                    // "we will stop when we are done": never
                }
            };
        }
    }

    /**
     * Beats from a timer thread, and starts accepting three seconds after it starts beating: the master
     * reports it ready too early (breaks C1), and a hung request loop goes unnoticed (breaks C5).
     */
    public static final class TimerBeat implements WorkerKind {
        @Override
        public String name() {
            return "timer-beat";
        }

        @Override
        public String description() {
            return "a kind whose heartbeat comes from a timer thread";
        }

        @Override
        public Worker create(WorkerContext context) {
            return new TinyWorker(context) {
                private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "heartbeat-timer");
                    t.setDaemon(true);
                    return t;
                });

                @Override
                protected void run() throws Exception {
                    timer.scheduleAtFixedRate(this::notifyAlive, 0, 200, TimeUnit.MILLISECONDS);
                    Thread.sleep(3000); // "warming up" while already reported ready
                    super.run();
                }

                @Override
                protected void beat() {
                    // the timer does it
                }
            };
        }
    }

    /** Switches the shared listening socket to blocking mode to use a blocking accept (breaks C10). */
    public static final class BlockingListener implements WorkerKind {
        @Override
        public String name() {
            return "blocking-listener";
        }

        @Override
        public String description() {
            return "a kind that makes the inherited socket blocking";
        }

        @Override
        public Worker create(WorkerContext context) {
            return new TinyWorker(context) {
                @Override
                protected void run() throws Exception {
                    Listener l = context.listeners().get(0);
                    l.channel().configureBlocking(true);
                    while (isAlive()) {
                        notifyAlive();
                        serve(l.channel().accept().socket());
                    }
                }
            };
        }
    }
}
