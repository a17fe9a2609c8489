package io.sluice.gateway.pop3;

import io.sluice.gateway.local.Maildir;

import java.io.IOException;
import java.util.List;

/**
 * The maildrop as one POP3 session sees it: the messages present at login, numbered from 1, with deletion marks.
 * Marks touch nothing on disk; only {@link #update()} (after QUIT, RFC 1939 6 "UPDATE state") removes files, so
 * a session that ends any other way (disconnect, timeout, crash) loses nothing. Used by one session thread.
 */
final class Pop3Mailbox {

    private final Maildir maildir;
    private final List<Maildir.Message> messages;
    private final boolean[] deleted;

    Pop3Mailbox(Maildir maildir, List<Maildir.Message> messages) {
        this.maildir = maildir;
        this.messages = List.copyOf(messages);
        this.deleted = new boolean[messages.size()];
    }

    /** Highest message number (deleted ones included: numbers never shift within a session). */
    int size() {
        return messages.size();
    }

    int liveCount() {
        int n = 0;
        for (boolean d : deleted) {
            n += d ? 0 : 1;
        }
        return n;
    }

    long liveBytes() {
        long total = 0;
        for (int i = 0; i < deleted.length; i++) {
            total += deleted[i] ? 0 : messages.get(i).sizeBytes();
        }
        return total;
    }

    boolean exists(int number) {
        return number >= 1 && number <= messages.size();
    }

    boolean isDeleted(int number) {
        return deleted[number - 1];
    }

    Maildir.Message get(int number) {
        return messages.get(number - 1);
    }

    void markDeleted(int number) {
        deleted[number - 1] = true;
    }

    void unmarkAll() {
        java.util.Arrays.fill(deleted, false);
    }

    /** Removes the marked messages; returns how many could not be removed (already-gone files count as removed). */
    int update() {
        int failed = 0;
        for (int i = 0; i < deleted.length; i++) {
            if (deleted[i]) {
                try {
                    maildir.delete(messages.get(i).file());
                } catch (IOException e) {
                    failed++;
                }
            }
        }
        return failed;
    }
}
