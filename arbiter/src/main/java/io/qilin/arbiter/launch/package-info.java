/**
 * Launching a worker JVM: the one place that builds the java command line ({@link
 * io.qilin.arbiter.launch.WorkerLauncher}: JVM options, CPU share, classpath, the contract's
 * environment, the descriptors handed over) and the AOT cache's flags and training run
 * ({@link io.qilin.arbiter.launch.AotCache}).
 */
package io.qilin.arbiter.launch;
