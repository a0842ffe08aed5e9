package io.qilin.worker.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AppThreadsTest {

    @Test
    void aTaskWaitsBehindBlockedOnesOnlyAtTheCap() throws Exception {
        ExecutorService pool = AppThreads.pool(3);
        CountDownLatch release = new CountDownLatch(1);
        try {
            for (int i = 0; i < 2; i++) {
                pool.execute(() -> await(release));
            }
            CountDownLatch third = new CountDownLatch(1);
            pool.execute(() -> {
                third.countDown();
                await(release);
            });
            assertThat(third.await(10, TimeUnit.SECONDS)).as("ran beside two blocked threads").isTrue();

            CountDownLatch fourth = new CountDownLatch(1);
            pool.execute(fourth::countDown);
            assertThat(fourth.await(300, TimeUnit.MILLISECONDS)).as("ran while all 3 threads were blocked").isFalse();
            release.countDown();
            assertThat(fourth.await(10, TimeUnit.SECONDS)).as("ran once a thread was free").isTrue();
        } finally {
            release.countDown();
            pool.shutdown();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
