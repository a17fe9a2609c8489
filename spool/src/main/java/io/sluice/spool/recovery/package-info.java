/**
 * Crash recovery: {@link io.sluice.spool.recovery.RecoveryScan} states what is trusted after a crash and turns the
 * replayed records into the message index. Storage-engine independent; the Chronicle layer feeds it.
 */
package io.sluice.spool.recovery;
