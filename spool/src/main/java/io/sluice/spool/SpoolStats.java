package io.sluice.spool;

/**
 * A point-in-time view of the spool's counters.
 *
 * @param messagesCommitted messages committed since open
 * @param messagesLive      messages with at least one unfinished recipient
 * @param bytesCommitted    body bytes committed since open
 * @param syncs             forces to disk since open (commits / syncs = mean group-commit batch)
 * @param filesLive         queue files on disk
 * @param diskFreeBytes     usable space on the spool's file system
 */
public record SpoolStats(long messagesCommitted, long messagesLive, long bytesCommitted, long syncs,
                         int filesLive, long diskFreeBytes) {
}
