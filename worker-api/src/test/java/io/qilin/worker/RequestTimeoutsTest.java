package io.qilin.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A timed-out request is answered; the worker asks to be replaced only when a thread is stuck in it. */
class RequestTimeoutsTest {

    /** A worker with a 1 s request timeout that serves nothing. */
    private static final class Idle extends Worker {
        Idle() {
            super(WorkerContext.standalone(WorkerConfig.builder().set("REQUEST_TIMEOUT", 1).build(), List.of(),
                    RequestTimeoutsTest.class.getClassLoader()));
        }

        RequestTimeouts timeouts() {
            return requestTimeouts();
        }

        @Override
        protected void run() {
        }
    }

    @Test
    void aThreadStuckInATimedOutRequestGetsTheWorkerReplaced() throws Exception {
        Idle worker = new Idle();
        CountDownLatch answered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread app = new Thread(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        app.start();
        worker.timeouts().started("GET /hang HTTP/1.1", answered::countDown).runningOn(app);

        assertThat(answered.await(30, TimeUnit.SECONDS)).isTrue();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (worker.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(10); // the replacement follows the answer on the checking thread
        }
        release.countDown();
        assertThat(worker.isAlive()).isFalse();
        assertThat(worker.exitCode()).isEqualTo(ExitCodes.REQUEST_TIMEOUT);
    }

    @Test
    void aResponseStillOnItsWayWithNoThreadInItIsAnsweredAndTheWorkerStays() throws Exception {
        Idle worker = new Idle();
        CountDownLatch answered = new CountDownLatch(1);
        RequestTimeouts.Watch watch = worker.timeouts().started("GET /slow HTTP/1.1", answered::countDown);
        watch.runningOn(Thread.currentThread());
        watch.runningOn(null); // the application returned; its response is not out yet

        assertThat(answered.await(30, TimeUnit.SECONDS)).isTrue();
        // a later timed-out request with a stuck thread shows the first one's handling is over
        CountDownLatch later = new CountDownLatch(1);
        worker.timeouts().started("GET /later HTTP/1.1", later::countDown);
        assertThat(later.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(worker.exitCode()).isEqualTo(ExitCodes.OK);
        assertThat(worker.isAlive()).isTrue();
    }

    @Test
    void aFinishedRequestIsNeverAnswered() throws Exception {
        Idle worker = new Idle();
        CountDownLatch answered = new CountDownLatch(1);
        worker.timeouts().started("GET / HTTP/1.1", answered::countDown).finished();
        CountDownLatch later = new CountDownLatch(1);
        // a second request that does time out shows the check has run past the first one's limit
        worker.timeouts().started("GET /later HTTP/1.1", later::countDown);
        assertThat(later.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(answered.getCount()).isEqualTo(1);
    }

    @Test
    void zeroTurnsItOff() {
        Worker worker = new Worker(WorkerContext.standalone(WorkerConfig.builder().set("REQUEST_TIMEOUT", 0).build(),
                List.of(), getClass().getClassLoader())) {
            @Override
            protected void run() {
            }
        };
        assertThat(worker.requestTimeouts()).isNull();
    }
}
