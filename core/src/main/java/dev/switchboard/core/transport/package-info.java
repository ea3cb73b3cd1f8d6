/**
 * The transport SPI: the contracts a client transport ({@link dev.switchboard.core.transport.Connection})
 * and a worker transport ({@link dev.switchboard.core.transport.WorkerLink}) implement. Contracts
 * only; no implementation lives here.
 */
@NullMarked
package dev.switchboard.core.transport;

import org.jspecify.annotations.NullMarked;
