/**
 * The master↔worker contract, the one thing both sides of the process boundary compile against: the
 * settings a worker gets ({@link io.qilin.worker.protocol.WorkerEnv}, one default each), how listeners
 * and files travel as inherited descriptors ({@link io.qilin.worker.protocol.FileDescriptors}), the
 * heartbeat and scoreboard layout ({@link io.qilin.worker.protocol.Scoreboard}), where thread dumps go
 * ({@link io.qilin.worker.protocol.ThreadDumps}), the StatsD metric names both emit
 * ({@link io.qilin.worker.protocol.StatsD}), how a kind is found by name
 * ({@link io.qilin.worker.protocol.WorkerKinds}) and how an address list setting is read
 * ({@link io.qilin.worker.protocol.AllowList}, which the master checks at start). Exit codes are {@link io.qilin.worker.ExitCodes}, in
 * the SPI, because a kind may exit with them.
 *
 * <p>For the master ({@code arbiter}) and the worker kinds only: a custom kind needs none of it, and it
 * may change between releases together with both sides. The project does not use JPMS modules, so this
 * is a rule of the layout rather than of the compiler; {@code ContractBoundaryTest} in arbiter checks
 * the master's side of it.
 */
package io.qilin.worker.protocol;
