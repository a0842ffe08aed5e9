/**
 * The worker conformance kit: a JUnit 5 suite that checks a worker kind against the worker contract
 * of the same version, by running it under a real master. Extend {@link io.qilin.tck.WorkerKindTck}.
 */
package io.qilin.tck;
