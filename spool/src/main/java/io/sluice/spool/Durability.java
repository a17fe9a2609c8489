package io.sluice.spool;

/** What a successful commit promises ({@code spool.durability}). */
public enum Durability {
    /**
     * Forced to stable storage before the commit completes: survives power loss. One force is shared by every
     * message committed while the previous force ran (group commit).
     */
    FSYNC,
    /**
     * Written to the mapped file (the kernel's page cache) before the commit completes: survives a crash of the
     * process, not of the machine.
     */
    OS
}
