/**
 * What a worker kind's author needs: the {@link io.qilin.worker.WorkerKind} SPI, the
 * {@link io.qilin.worker.Worker} base class with Gunicorn's lifecycle, and the settings and
 * listeners the master hands each worker.
 */
package io.qilin.worker;
