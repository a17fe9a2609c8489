/**
 * The spool API: the gateway's durable queue of accepted messages.
 *
 * <p>The SMTP receiver opens a message with {@link io.sluice.spool.Spool#begin}, streams body bytes into the
 * returned {@link io.sluice.spool.SpoolWriter}, and replies {@code 250} only once
 * {@link io.sluice.spool.SpoolWriter#commit()} completes with {@link io.sluice.spool.AppendResult#OK}.
 * Delivery learns of durable messages through a {@link io.sluice.spool.CommitListener}, reads bodies through
 * {@link io.sluice.spool.MessageBody}, and records each recipient's outcome as an appended event.
 *
 * <p>{@link io.sluice.spool.SpoolReader} is the read side alone, which is what a read-only open (the queue CLI)
 * returns; {@link io.sluice.spool.SpoolException} means a spool cannot be opened at all.
 *
 * <p>No storage-engine type appears in this package; the implementation lives in {@code spool.chronicle}.
 */
package io.sluice.spool;
