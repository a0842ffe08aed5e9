package io.qilin.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

/**
 * The kit fails kinds that break the contract, naming the clause, and passes one that keeps it: each
 * broken kind is run through the checks that concern it with JUnit's own EngineTestKit.
 */
class BrokenKindsTest {

    /** The kit against a broken kind, as an author would extend it. Not a test class of its own (no "Test" suffix). */
    abstract static class Against extends WorkerKindTck {
        @Override
        protected int gracefulTimeout() {
            return 15; // enough for the C3 check's work (8 slow requests of 1.5 s on two one-at-a-time workers)
        }
    }

    static final class IgnoresTermConformance extends Against {
        @Override
        protected String workerClass() {
            return BrokenKinds.IgnoresTerm.class.getName();
        }
    }

    static final class TimerBeatConformance extends Against {
        @Override
        protected String workerClass() {
            return BrokenKinds.TimerBeat.class.getName();
        }
    }

    static final class BlockingListenerConformance extends Against {
        @Override
        protected String workerClass() {
            return BrokenKinds.BlockingListener.class.getName();
        }
    }

    static final class TinyConformance extends Against {
        @Override
        protected String workerClass() {
            return BrokenKinds.Tiny.class.getName();
        }
    }

    @Test
    void aKindThatIgnoresTermFailsTheDrainCheck() {
        List<String> failures = failures(IgnoresTermConformance.class, "termDrainsInFlightAndWaitingConnections");
        assertThat(failures).singleElement().asString()
                .contains("clause C3")
                .contains("the master killed workers that outlived --graceful-timeout 15");
    }

    @Test
    void aKindThatBeatsFromATimerFailsTheReadinessAndHeartbeatChecks() {
        assertThat(failures(TimerBeatConformance.class, "readyOnlyOnceAccepting")).singleElement().asString()
                .contains("clause C1").contains("in the listen queue before it was accepted");
        assertThat(failures(TimerBeatConformance.class, "hungDispatchAbortsWithThreadDump")).singleElement().asString()
                .contains("clause C5").contains("kept beating");
    }

    @Test
    void aKindThatMakesTheListenerBlockingFailsTheListenerCheck() {
        assertThat(failures(BlockingListenerConformance.class, "listenerOptionsUntouched")).singleElement().asString()
                .contains("clause C10").contains("switched to blocking mode");
    }

    @Test
    void theSameChecksPassOnAKindThatKeepsTheContract() {
        for (String check : List.of("termDrainsInFlightAndWaitingConnections", "readyOnlyOnceAccepting",
                "hungDispatchAbortsWithThreadDump", "listenerOptionsUntouched")) {
            assertThat(failures(TinyConformance.class, check)).as(check).isEmpty();
        }
    }

    /** Runs one check of the kit against a kind; the messages of its failures. */
    private static List<String> failures(Class<? extends WorkerKindTck> conformance, String check) {
        Events events = EngineTestKit.engine("junit-jupiter").selectors(selectMethod(conformance, check)).execute()
                .testEvents();
        assertThat(events.started().count()).as("checks run").isEqualTo(1);
        return events.failed().stream().map(Event::getPayload)
                .map(p -> p.flatMap(x -> x instanceof org.junit.platform.engine.TestExecutionResult
                        ? ((org.junit.platform.engine.TestExecutionResult) x).getThrowable() : java.util.Optional.empty())
                        .map(Throwable::getMessage).orElse("?"))
                .collect(Collectors.toList());
    }
}
