package io.sluice.gateway.pop3;

import io.sluice.gateway.local.LocalMail;
import io.sluice.gateway.local.Maildir;

import java.io.IOException;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;

/**
 * The POP3 state machine of one connection (RFC 1939 3): {@code AUTHORIZATION -> TRANSACTION -> UPDATE}.
 *
 * <pre>
 * state          verb                      next state      reply
 * AUTHORIZATION  USER name                 AUTHORIZATION   +OK send PASS | -ERR [AUTH] plaintext refused
 *                PASS secret (after USER)  TRANSACTION     +OK maildrop has N messages
 *                                          AUTHORIZATION   -ERR [AUTH] (after the delay) | -ERR [IN-USE]
 *                APOP / AUTH               AUTHORIZATION   -ERR not supported (no retrievable secret)
 *                STLS                      AUTHORIZATION   +OK, then the connection starts TLS
 *                CAPA                      (same)          capability list
 *                QUIT                      (closed)        +OK, nothing changed
 * TRANSACTION    STAT LIST UIDL RETR TOP   TRANSACTION     answers about messages present at login
 *                DELE n / RSET / NOOP      TRANSACTION     marks / unmarks only, nothing on disk
 *                QUIT                      UPDATE (closed) marked messages removed, then +OK
 * </pre>
 * Verbs not allowed in the current state get {@code -ERR}; every {@code -ERR} counts as an error and
 * {@link #MAX_ERRORS} of them close the session, as do {@link #MAX_LOGIN_FAILURES} failed logins. A session that
 * ends without QUIT ({@link #close()}) never enters UPDATE: deletions are forgotten, the mailbox lock released.
 *
 * <p>One mailbox, one session: the lock is a set of user names shared by the server ({@code [IN-USE]}, RFC 2449
 * 8.1.1). Used by one connection thread; does no socket I/O (message bodies are streamed by the connection).
 */
final class Pop3Session {

    enum State { AUTHORIZATION, TRANSACTION, UPDATE }

    static final int MAX_ERRORS = 20;
    static final int MAX_LOGIN_FAILURES = 3;

    private final LocalMail local;
    private final Set<String> lockedMailboxes;
    private final boolean isTlsAvailable;
    private final boolean isPlaintextAllowedInClear;

    private State state = State.AUTHORIZATION;
    private boolean isTls;
    private String pendingUser;
    private String user;
    private Pop3Mailbox mailbox;
    private int errors;
    private int loginFailures;

    /**
     * @param isTls                     the connection is already encrypted (implicit-TLS port)
     * @param isTlsAvailable            STLS may be offered
     * @param isPlaintextAllowedInClear USER/PASS allowed without TLS (loopback client and
     *                                  {@code pop3.plaintext-on-loopback})
     */
    Pop3Session(LocalMail local, Set<String> lockedMailboxes, boolean isTls, boolean isTlsAvailable,
                boolean isPlaintextAllowedInClear) {
        this.local = local;
        this.lockedMailboxes = lockedMailboxes;
        this.isTls = isTls;
        this.isTlsAvailable = isTlsAvailable;
        this.isPlaintextAllowedInClear = isPlaintextAllowedInClear;
    }

    State state() {
        return state;
    }

    /** The logged-in user, or null. */
    String user() {
        return user;
    }

    void onTlsStarted() {
        isTls = true;
    }

    Pop3Reply onCommand(Pop3Command verb, String args) {
        if (verb == null) {
            return error(Pop3Replies.UNKNOWN_COMMAND);
        }
        if (state == State.AUTHORIZATION && !verb.allowedInAuthorization) {
            return error(Pop3Replies.NOT_IN_AUTHORIZATION);
        }
        if (state == State.TRANSACTION && !verb.allowedInTransaction) {
            return error(Pop3Replies.NOT_IN_TRANSACTION);
        }
        return switch (verb) {
            case CAPA -> capabilities();
            case QUIT -> quit();
            case STLS -> !isTlsAvailable ? error(Pop3Replies.TLS_UNAVAILABLE)
                : isTls ? error(Pop3Replies.TLS_ALREADY_ACTIVE) : Pop3Replies.BEGIN_TLS;
            case APOP -> error(Pop3Replies.APOP_UNSUPPORTED);
            case AUTH -> error(Pop3Replies.AUTH_UNSUPPORTED);
            case USER -> userCommand(args);
            case PASS -> pass(args);
            case NOOP -> Pop3Replies.NOOP;
            case STAT -> Pop3Reply.ok(mailbox.liveCount() + " " + mailbox.liveBytes());
            case LIST -> list(args, false);
            case UIDL -> list(args, true);
            case RETR -> retrieve(args, false);
            case TOP -> retrieve(args, true);
            case DELE -> delete(args);
            case RSET -> {
                mailbox.unmarkAll();
                yield Pop3Reply.ok("maildrop has " + mailbox.liveCount() + " messages (" + mailbox.liveBytes()
                    + " octets)");
            }
        };
    }

    /** The connection ended without QUIT (or after it): release the mailbox; never applies deletions. */
    void close() {
        if (user != null) {
            lockedMailboxes.remove(user);
        }
    }

    private boolean isPlaintextAllowed() {
        return isTls || isPlaintextAllowedInClear;
    }

    private Pop3Reply capabilities() {
        StringBuilder b = new StringBuilder("TOP\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\n");
        if (state == State.AUTHORIZATION) {
            if (isPlaintextAllowed()) {
                b.append("USER\r\n");
            }
            if (isTlsAvailable && !isTls) {
                b.append("STLS\r\n");
            }
        }
        b.append("IMPLEMENTATION Sluice\r\n");
        return Pop3Reply.multiLine("capability list follows", b);
    }

    private Pop3Reply quit() {
        if (state != State.TRANSACTION) {
            return Pop3Replies.BYE;
        }
        state = State.UPDATE;
        int failed = mailbox.update();
        int left = mailbox.liveCount();
        close();
        return failed > 0 ? Pop3Replies.UPDATE_FAILED
            : Pop3Reply.ok("Sluice POP3 server signing off (" + left + " messages left)").closing();
    }

    private Pop3Reply userCommand(String args) {
        pendingUser = null;
        if (!isPlaintextAllowed()) {
            return error(Pop3Replies.PLAINTEXT_REFUSED);
        }
        if (args.isBlank()) {
            return error(Pop3Replies.USER_NEEDS_NAME);
        }
        pendingUser = args.strip();
        return Pop3Replies.USER_ACCEPTED;
    }

    private Pop3Reply pass(String args) {
        if (!isPlaintextAllowed()) {
            return error(Pop3Replies.PLAINTEXT_REFUSED);
        }
        if (pendingUser == null) {
            return error(Pop3Replies.PASS_WITHOUT_USER);
        }
        String name = pendingUser;
        pendingUser = null;
        char[] password = args.toCharArray();
        Optional<String> canonical;
        try {
            canonical = local.login(name, password);
        } finally {
            Arrays.fill(password, '\0');
        }
        if (canonical.isEmpty()) {
            errors++;
            return ++loginFailures >= MAX_LOGIN_FAILURES ? Pop3Replies.LOGIN_FAILED.closing() : Pop3Replies.LOGIN_FAILED;
        }
        String mailboxName = canonical.get();
        if (!lockedMailboxes.add(mailboxName)) {
            return error(Pop3Replies.IN_USE);
        }
        Maildir maildir = local.maildir(mailboxName);
        try {
            mailbox = new Pop3Mailbox(maildir, maildir.claim());
        } catch (IOException e) {
            lockedMailboxes.remove(mailboxName);
            return error(Pop3Replies.MAILBOX_UNAVAILABLE);
        }
        user = mailboxName;
        state = State.TRANSACTION;
        return Pop3Reply.ok(mailboxName + "'s maildrop has " + mailbox.liveCount() + " messages ("
            + mailbox.liveBytes() + " octets)");
    }

    private Pop3Reply list(String args, boolean uids) {
        if (args.isBlank()) {
            StringBuilder b = new StringBuilder();
            for (int n = 1; n <= mailbox.size(); n++) {
                if (!mailbox.isDeleted(n)) {
                    b.append(n).append(' ').append(uids ? mailbox.get(n).uid() : mailbox.get(n).sizeBytes()).append("\r\n");
                }
            }
            return Pop3Reply.multiLine(uids ? "unique-id listing follows"
                : mailbox.liveCount() + " messages (" + mailbox.liveBytes() + " octets)", b);
        }
        int n = messageNumber(args.strip());
        if (n < 0) {
            return error(n == -1 ? Pop3Replies.NO_SUCH_MESSAGE : Pop3Replies.BAD_ARGUMENTS);
        }
        return Pop3Reply.ok(n + " " + (uids ? mailbox.get(n).uid() : mailbox.get(n).sizeBytes()));
    }

    private Pop3Reply retrieve(String args, boolean isTop) {
        String[] a = args.strip().split(" +");
        if (a.length != (isTop ? 2 : 1)) {
            return error(Pop3Replies.BAD_ARGUMENTS);
        }
        int n = messageNumber(a[0]);
        if (n < 0) {
            return error(n == -1 ? Pop3Replies.NO_SUCH_MESSAGE : Pop3Replies.BAD_ARGUMENTS);
        }
        long lines = -1;
        if (isTop) {
            lines = parseNumber(a[1]);
            if (lines < 0) {
                return error(Pop3Replies.BAD_ARGUMENTS);
            }
        }
        Maildir.Message m = mailbox.get(n);
        return Pop3Reply.streaming(isTop ? "top of message follows" : m.sizeBytes() + " octets", m.file(), lines);
    }

    private Pop3Reply delete(String args) {
        long raw = parseNumber(args.strip());
        if (raw > 0 && mailbox.exists((int) raw) && mailbox.isDeleted((int) raw)) {
            return error(Pop3Replies.ALREADY_DELETED);
        }
        int n = messageNumber(args.strip());
        if (n < 0) {
            return error(n == -1 ? Pop3Replies.NO_SUCH_MESSAGE : Pop3Replies.BAD_ARGUMENTS);
        }
        mailbox.markDeleted(n);
        return Pop3Reply.ok("message " + n + " deleted");
    }

    /** A live message number, -1 for a number that names no live message, -2 for a malformed argument. */
    private int messageNumber(String arg) {
        long n = parseNumber(arg);
        if (n < 0) {
            return -2;
        }
        if (!mailbox.exists((int) n) || mailbox.isDeleted((int) n)) {
            return -1;
        }
        return (int) n;
    }

    /** A decimal of 1-9 digits, or -1. */
    private static long parseNumber(String s) {
        if (s.isEmpty() || s.length() > 9) {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private Pop3Reply error(Pop3Reply reply) {
        return ++errors >= MAX_ERRORS ? Pop3Replies.TOO_MANY_ERRORS : reply;
    }
}
