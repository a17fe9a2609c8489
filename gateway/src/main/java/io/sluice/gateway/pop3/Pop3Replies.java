package io.sluice.gateway.pop3;

/**
 * Fixed POP3 responses, encoded once. Response codes in brackets are RFC 2449 8 / RFC 3206
 * ({@code [IN-USE]}, {@code [AUTH]}, {@code [SYS/TEMP]}, {@code [SYS/PERM]}).
 */
final class Pop3Replies {

    static final Pop3Reply GREETING = Pop3Reply.ok("Sluice POP3 server ready");
    static final Pop3Reply NOOP = Pop3Reply.of("+OK");
    static final Pop3Reply USER_ACCEPTED = Pop3Reply.ok("send PASS");
    static final Pop3Reply BEGIN_TLS = Pop3Reply.ok("begin TLS negotiation").thenTls();
    static final Pop3Reply BYE = Pop3Reply.ok("Sluice POP3 server signing off").closing();

    static final Pop3Reply UNKNOWN_COMMAND = Pop3Reply.err("unknown command");
    static final Pop3Reply LINE_TOO_LONG = Pop3Reply.err("line too long (RFC 2449: at most 255 octets)");
    static final Pop3Reply NOT_IN_AUTHORIZATION = Pop3Reply.err("command not valid before login");
    static final Pop3Reply NOT_IN_TRANSACTION = Pop3Reply.err("command not valid after login");
    static final Pop3Reply PASS_WITHOUT_USER = Pop3Reply.err("send USER first");
    static final Pop3Reply USER_NEEDS_NAME = Pop3Reply.err("USER needs a mailbox name");
    static final Pop3Reply LOGIN_FAILED = Pop3Reply.err("[AUTH] invalid user name or password").afterDelay();
    static final Pop3Reply PLAINTEXT_REFUSED =
        Pop3Reply.err("[AUTH] plaintext passwords are refused on an unencrypted connection; use STLS first");
    static final Pop3Reply IN_USE = Pop3Reply.err("[IN-USE] mailbox is locked by another POP3 session");
    static final Pop3Reply MAILBOX_UNAVAILABLE = Pop3Reply.err("[SYS/TEMP] cannot open the mailbox, try again later");
    static final Pop3Reply APOP_UNSUPPORTED = Pop3Reply.err(
        "APOP is not supported: passwords are stored only as salted hashes, so there is no shared secret for its digest");
    static final Pop3Reply AUTH_UNSUPPORTED = Pop3Reply.err("AUTH is not supported; use USER and PASS");
    static final Pop3Reply TLS_UNAVAILABLE = Pop3Reply.err("STLS is not available (no TLS configured)");
    static final Pop3Reply TLS_ALREADY_ACTIVE = Pop3Reply.err("TLS is already active");
    static final Pop3Reply NO_SUCH_MESSAGE = Pop3Reply.err("no such message");
    static final Pop3Reply ALREADY_DELETED = Pop3Reply.err("message already deleted");
    static final Pop3Reply BAD_ARGUMENTS = Pop3Reply.err("bad arguments");
    static final Pop3Reply TOO_MANY_ERRORS = Pop3Reply.err("too many errors, closing").closing();
    static final Pop3Reply TIMEOUT = Pop3Reply.err("idle timeout, closing without changes").closing();
    static final Pop3Reply UPDATE_FAILED =
        Pop3Reply.err("[SYS/TEMP] some deleted messages could not be removed").closing();
    static final Pop3Reply INTERNAL_ERROR = Pop3Reply.err("[SYS/TEMP] internal error, closing").closing();

    private Pop3Replies() {
    }
}
