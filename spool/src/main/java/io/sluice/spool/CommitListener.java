package io.sluice.spool;

/**
 * Told about messages that need delivery: at registration, every recovered message with unfinished recipients,
 * then each newly committed message once it is durable. Called on a spool thread: implementations must hand
 * the entry off (e.g. to a queue) and return promptly, and must not call back into the spool's write methods
 * while holding their own locks.
 */
@FunctionalInterface
public interface CommitListener {

    void onCommitted(SpoolEntry entry);
}
