package io.sluice.gateway.smtp;

import io.sluice.gateway.io.Ascii;
import io.sluice.gateway.local.LocalDirectory;
import io.sluice.gateway.smtp.policy.Verdict;
import io.sluice.gateway.status.GatewayCounter;
import io.sluice.spool.ClientInfo;
import io.sluice.spool.Envelope;

import java.util.ArrayList;
import java.util.List;

/**
 * The SMTP state machine of one connection. It does no I/O: {@code SmtpConnection} reads a line, calls
 * {@link #onCommand}, writes the returned {@link Reply}, and runs the DATA/BDAT byte phases itself, reporting
 * their outcome through {@link #onMessageEnd} / {@link #onChunkEnd}.
 *
 * <p>Transitions (every one is in {@link #onCommand}; anything not listed keeps the state):
 * <pre>
 *   state      command                  reply                    next state
 *   any        HELO/EHLO ok             250                      GREETED (transaction dropped)
 *   any        RSET                     250 2.0.0                GREETED (CONNECTED stays CONNECTED)
 *   any        QUIT                     221 2.0.0                CLOSING
 *   any        STARTTLS ok              220 2.0.0                CONNECTED after the handshake ({@link #onTlsStarted})
 *   CONNECTED  MAIL/RCPT/DATA/BDAT      503 5.5.1                CONNECTED
 *   GREETED    AUTH ok                  334.../235 2.7.0         GREETED
 *   GREETED    MAIL ok                  250 2.1.0                MAIL
 *   MAIL,RCPT  RCPT ok                  250 2.1.5                RCPT
 *   RCPT       DATA ok                  354                      DATA
 *   DATA       (end of data)            250 queued / 4xx / 5xx   GREETED ({@link #onMessageEnd})
 *   RCPT       BDAT ok                  (chunk is read)          DATA, then RCPT or GREETED ({@link #onChunkEnd})
 *   any        5xx, errors reach max    421 4.7.0                CLOSING
 * </pre>
 * Connection state (client, HELO, TLS, AUTH, error count) lives here; message state in {@link Transaction}, which
 * is replaced, never cleared. Owned by one thread. Allocates only for arguments that end up in the envelope.
 */
final class SmtpSession {

    enum State { CONNECTED, GREETED, MAIL, RCPT, DATA, CLOSING }

    /** How a DATA or BDAT body ended, as seen by the connection. */
    enum DataOutcome { QUEUED, TOO_LARGE, BARE_LINE_ENDING, LINE_TOO_LONG, NO_SPACE, LOCAL_ERROR, CHUNK_STORED }

    /** Not a wire reply: tells the connection to read the BDAT chunk of {@link #chunkBytes()} into the spool. */
    static final Reply READ_CHUNK = Reply.of(250, "2.0.0", "(internal: read BDAT chunk)");

    private final SmtpSettings settings;
    private final String clientAddress;
    private final boolean relayByNetwork;
    private State state = State.CONNECTED;
    private boolean tls;
    private boolean extended;
    private String helo = "";
    private String authUser;
    private AuthExchange auth;
    private int errors;
    private Transaction tx;
    private long chunkBytes = -1;
    private boolean chunkLast;
    private final List<String> expansion = new ArrayList<>();
    private final Reply[] authOut = new Reply[1];

    SmtpSession(SmtpSettings settings, java.net.InetAddress client, boolean implicitTls) {
        this.settings = settings;
        this.clientAddress = client.getHostAddress();
        this.relayByNetwork = settings.relay.isAllowed(client);
        this.tls = implicitTls;
    }

    State state() {
        return state;
    }

    Reply greeting() {
        return settings.banner;
    }

    /** The session waits for a SASL response line rather than a command. */
    boolean isAwaitingAuthResponse() {
        return auth != null && !auth.isDone();
    }

    /** Size of the BDAT chunk the last command announced, or -1. The connection reads or discards that many bytes. */
    long chunkBytes() {
        return chunkBytes;
    }

    boolean isLastChunk() {
        return chunkLast;
    }

    /** A BDAT transfer is under way (its spool writer must survive between BDAT commands). */
    boolean isInBdat() {
        return tx != null && tx.bdatStarted;
    }

    Reply onCommand(SmtpCommand verb, CommandLine line) {
        chunkBytes = -1;
        Reply reply = switch (verb) {
            case HELO, EHLO -> hello(verb == SmtpCommand.EHLO, line);
            case MAIL -> mail(line);
            case RCPT -> rcpt(line);
            case DATA -> data(line);
            case BDAT -> bdat(line);
            case RSET -> line.hasArgs() ? Replies.NO_ARGUMENTS_501 : reset();
            case NOOP -> Replies.OK_250;
            case VRFY -> vrfy(line);
            case EXPN -> expn(line);
            case HELP -> Replies.HELP_214;
            case QUIT -> quit();
            case STARTTLS -> startTls(line);
            case AUTH -> auth(line);
            case UNKNOWN -> Replies.UNKNOWN_COMMAND_500;
        };
        return count(verb.countsAsError, reply);
    }

    Reply onAuthResponse(CommandLine line) {
        String text = line.args();
        Reply reply = auth.onResponse(text == null ? "" : text);
        return authDone(reply);
    }

    Reply onLineTooLong() {
        GatewayCounter.SMTP_LINES_TOO_LONG.increment();
        return count(true, Replies.LINE_TOO_LONG_500);
    }

    Reply onBareLineFeed() {
        GatewayCounter.SMTP_BARE_LINE_ENDINGS.increment();
        return count(true, Replies.BARE_LF_500);
    }

    /** RFC 3207 4.2: after the handshake the client starts over; forget everything it said before. */
    void onTlsStarted() {
        tls = true;
        state = State.CONNECTED;
        tx = null;
        helo = "";
        extended = false;
        authUser = null;
    }

    /** The envelope of the current transaction, for {@code spool.begin}. */
    Envelope envelope(long nowEpochMs) {
        MailParameters p = tx.params;
        ClientInfo client = new ClientInfo(clientAddress, Ascii.printable(helo, 255), protocol(), authUser);
        return new Envelope(tx.sender, tx.recipients(), client, nowEpochMs, p.body, p.smtpUtf8, p.ret, p.envId);
    }

    /** The "for" clause of the Received header: the recipient when there is exactly one, else null. */
    String singleRecipient() {
        return tx != null && tx.rcptAccepted == 1 ? tx.lastGivenRecipient : null;
    }

    String helo() {
        return helo;
    }

    String clientAddress() {
        return clientAddress;
    }

    /** RFC 3848 "with" keyword. */
    String protocol() {
        if (!extended) {
            return "SMTP";
        }
        return "ESMTP" + (tls ? "S" : "") + (authUser != null ? "A" : "");
    }

    /** DATA ended, or BDAT LAST ended; the transaction is over whatever happened. */
    Reply onMessageEnd(DataOutcome outcome) {
        tx = null;
        state = State.GREETED;
        return switch (outcome) {
            case QUEUED -> {
                errors = 0; // Postfix resets its error count after each accepted message
                GatewayCounter.SMTP_MESSAGES_ACCEPTED.increment();
                yield Replies.QUEUED_250;
            }
            case CHUNK_STORED -> throw new IllegalArgumentException("not an end of message");
            default -> {
                GatewayCounter.SMTP_MESSAGES_REFUSED.increment();
                yield count(true, switch (outcome) {
                    case TOO_LARGE -> Replies.MESSAGE_TOO_BIG_552;
                    case BARE_LINE_ENDING -> Replies.BARE_LINE_ENDING_550;
                    case LINE_TOO_LONG -> Replies.DATA_LINE_TOO_LONG_500;
                    case NO_SPACE -> Replies.NO_SPACE_452;
                    default -> Replies.LOCAL_ERROR_451;
                });
            }
        };
    }

    /** A non-LAST BDAT chunk was read; {@code CHUNK_STORED} keeps the transaction, anything else ends it. */
    Reply onChunkEnd(DataOutcome outcome) {
        if (outcome != DataOutcome.CHUNK_STORED) {
            return onMessageEnd(outcome);
        }
        state = State.RCPT;
        return Replies.CHUNK_OK_250;
    }

    private Reply count(boolean countsAsError, Reply reply) {
        if (countsAsError && reply.isPermanentFailure()) {
            GatewayCounter.SMTP_COMMAND_ERRORS.increment();
            if (++errors >= settings.smtp.maxErrors()) {
                state = State.CLOSING;
                GatewayCounter.SMTP_TOO_MANY_ERRORS.increment();
                return Replies.TOO_MANY_ERRORS_421;
            }
        }
        if (reply.closesConnection()) {
            state = State.CLOSING;
        }
        return reply;
    }

    private Reply hello(boolean ehlo, CommandLine line) {
        String name = line.hasArgs() && line.isAsciiArgs() ? line.args().strip() : "";
        if (name.isEmpty() || name.length() > 255 || name.indexOf(' ') >= 0 || !Ascii.printable(name, 255).equals(name)) {
            return Replies.HELO_SYNTAX_501;
        }
        helo = name;
        extended = ehlo;
        tx = null;
        state = State.GREETED;
        if (!ehlo) {
            return settings.helo;
        }
        boolean authOffered = tls || settings.smtp.authWithoutTls();
        return settings.ehlo(settings.tlsConfigured && !tls, authOffered);
    }

    private Reply reset() {
        tx = null;
        if (state != State.CONNECTED) {
            state = State.GREETED;
        }
        return Replies.OK_250;
    }

    private Reply quit() {
        tx = null;
        state = State.CLOSING;
        return Replies.GOODBYE_221;
    }

    private Reply mail(CommandLine line) {
        if (state == State.CONNECTED) {
            return Replies.HELO_FIRST_503;
        }
        if (tx != null) {
            return Replies.NESTED_MAIL_503;
        }
        String args = line.args();
        if (args == null || !args.regionMatches(true, 0, "FROM:", 0, 5)) {
            return Replies.MAIL_SYNTAX_501;
        }
        int at = skipSpaces(args, 5);
        PathParser.Path path = PathParser.parse(args, at, true, false);
        if (!path.isValid()) {
            return args.indexOf('<', at) == at ? Replies.BAD_SENDER_ADDRESS_501 : Replies.MAIL_SYNTAX_501;
        }
        MailParameters p = MailParameters.parse(args, path.end(), true, extended);
        if (p.error != null) {
            return p.error;
        }
        if (path.nonAscii() && !p.smtpUtf8) {
            return Replies.SMTPUTF8_REQUIRED_553;
        }
        Verdict size = settings.sizeCheck.check(p.size);
        if (!size.isAccepted()) {
            return size.reply();
        }
        tx = new Transaction(path.mailbox(), p);
        state = State.MAIL;
        return Replies.SENDER_OK_250;
    }

    private Reply rcpt(CommandLine line) {
        if (state == State.CONNECTED) {
            return Replies.HELO_FIRST_503;
        }
        if (tx == null) {
            return Replies.MAIL_FIRST_503;
        }
        if (tx.bdatStarted) {
            return Replies.BAD_SEQUENCE_503;
        }
        String args = line.args();
        if (args == null || !args.regionMatches(true, 0, "TO:", 0, 3)) {
            return Replies.RCPT_SYNTAX_501;
        }
        int at = skipSpaces(args, 3);
        PathParser.Path path = PathParser.parse(args, at, false, true);
        if (!path.isValid()) {
            return args.indexOf('<', at) == at ? Replies.BAD_RECIPIENT_ADDRESS_501 : Replies.RCPT_SYNTAX_501;
        }
        MailParameters p = MailParameters.parse(args, path.end(), false, extended);
        if (p.error != null) {
            return p.error;
        }
        if (path.nonAscii() && !tx.params.smtpUtf8) {
            return Replies.SMTPUTF8_REQUIRED_553;
        }
        if (tx.rcptAccepted >= settings.smtp.maxRecipients()) {
            return Replies.TOO_MANY_RECIPIENTS_452;
        }
        expansion.clear();
        Verdict v = settings.rcptCheck.check(path.mailbox(), relayByNetwork || authUser != null, expansion);
        if (!v.isAccepted()) {
            (v.reply() == Replies.RELAY_DENIED_554 ? GatewayCounter.SMTP_RELAY_DENIED : GatewayCounter.SMTP_UNKNOWN_RECIPIENTS).increment();
            return v.reply();
        }
        String given = path.mailbox();
        for (String address : expansion) {
            // An expanded alias keeps the address the client gave as ORCPT, so a DSN names what the sender wrote.
            String orcpt = p.orcpt != null ? p.orcpt : address.equalsIgnoreCase(given) ? null : "rfc822;" + given;
            tx.addRecipient(address, orcpt, p.notifyFlags);
        }
        tx.rcptAccepted++;
        tx.lastGivenRecipient = given;
        state = State.RCPT;
        return Replies.RECIPIENT_OK_250;
    }

    private Reply data(CommandLine line) {
        Reply bad = transactionReadyFor(line.hasArgs() ? Replies.NO_ARGUMENTS_501 : null);
        if (bad != null) {
            return bad;
        }
        if (tx.bdatStarted || tx.params.isBinaryMime()) {
            return Replies.DATA_AFTER_BDAT_503;
        }
        Verdict space = settings.spoolSpaceCheck.check(tx.params.size);
        if (!space.isAccepted()) {
            return space.reply();
        }
        state = State.DATA;
        return Replies.START_DATA_354;
    }

    private Reply bdat(CommandLine line) {
        String args = line.args();
        int sp = args == null ? -1 : args.indexOf(' ');
        long size = args == null ? -1 : Ascii.parseNatural(sp < 0 ? args : args.substring(0, sp));
        String rest = sp < 0 ? "" : args.substring(sp + 1);
        if (size < 0 || !(rest.isEmpty() || rest.equalsIgnoreCase("LAST"))) {
            return Replies.BDAT_SYNTAX_501;
        }
        chunkBytes = size; // from here on the connection reads or discards the chunk whatever we reply (RFC 3030 3)
        chunkLast = !rest.isEmpty();
        Reply bad = transactionReadyFor(null);
        if (bad != null) {
            return bad;
        }
        if (!tx.bdatStarted) {
            Verdict space = settings.spoolSpaceCheck.check(tx.params.size);
            if (!space.isAccepted()) {
                tx = null;
                state = State.GREETED;
                return space.reply();
            }
            tx.bdatStarted = true;
        }
        state = State.DATA;
        return READ_CHUNK;
    }

    /** Shared DATA/BDAT gate: returns the refusal, or null when the transaction may take a body. */
    private Reply transactionReadyFor(Reply syntaxError) {
        if (state == State.CONNECTED) {
            return Replies.HELO_FIRST_503;
        }
        if (tx == null) {
            return Replies.MAIL_FIRST_503;
        }
        if (tx.rcptAccepted == 0) {
            return Replies.RCPT_FIRST_503;
        }
        if (syntaxError != null) {
            return syntaxError;
        }
        if (!tx.hasRecipients()) {
            return Replies.NO_VALID_RECIPIENTS_554;
        }
        return null;
    }

    private Reply vrfy(CommandLine line) {
        if (!line.hasArgs()) {
            return Replies.SYNTAX_ERROR_501;
        }
        if (!settings.smtp.vrfy()) {
            return Replies.VRFY_CANNOT_252;
        }
        LocalDirectory.Lookup found = lookup(line);
        if (!found.isKnown()) {
            return Replies.NO_SUCH_USER_550;
        }
        String name = found.displayName().isEmpty() ? "" : Ascii.printable(found.displayName(), 100) + " ";
        return Reply.of(250, "2.1.5", name + "<" + found.address() + ">");
    }

    private Reply expn(CommandLine line) {
        if (!settings.smtp.expn()) {
            return Replies.NOT_IMPLEMENTED_502;
        }
        if (!line.hasArgs()) {
            return Replies.SYNTAX_ERROR_501;
        }
        LocalDirectory.Lookup found = lookup(line);
        if (!found.isKnown()) {
            return Replies.NO_SUCH_USER_550;
        }
        List<String> members = found.members().isEmpty() ? List.of(found.address()) : found.members();
        List<String> lines = new ArrayList<>(members.size());
        for (String m : members) {
            lines.add("<" + Ascii.printable(m, 256) + ">");
        }
        return Reply.multiline(250, "2.1.5", lines);
    }

    /** VRFY/EXPN argument: {@code <a@b>}, {@code a@b}, or a bare local part (taken as local to this host). */
    private LocalDirectory.Lookup lookup(CommandLine line) {
        String a = line.args();
        if (a == null) {
            return LocalDirectory.Lookup.unknown();
        }
        a = a.strip();
        if (a.startsWith("<") && a.endsWith(">")) {
            a = a.substring(1, a.length() - 1);
        }
        if (a.indexOf('@') < 0) {
            a = a + "@" + settings.hostname;
        }
        return settings.directory.lookup(a);
    }

    private Reply startTls(CommandLine line) {
        if (tls) {
            return Replies.TLS_ALREADY_ACTIVE_503;
        }
        if (!settings.tlsConfigured) {
            return Replies.TLS_NOT_AVAILABLE_454;
        }
        if (line.hasArgs()) {
            return Replies.NO_ARGUMENTS_501;
        }
        return Replies.READY_FOR_TLS_220;
    }

    private Reply auth(CommandLine line) {
        if (state == State.CONNECTED || !extended) {
            return Replies.HELO_FIRST_503;
        }
        if (authUser != null) {
            return Replies.ALREADY_AUTHENTICATED_503;
        }
        if (tx != null) {
            return Replies.AUTH_IN_TRANSACTION_503;
        }
        if (!tls && !settings.smtp.authWithoutTls()) {
            return Replies.ENCRYPTION_REQUIRED_538;
        }
        String args = line.args();
        if (args == null || args.isBlank()) {
            return Replies.SYNTAX_ERROR_501;
        }
        auth = AuthExchange.start(settings.directory, args.strip(), authOut);
        return authDone(authOut[0]);
    }

    private Reply authDone(Reply reply) {
        if (auth != null && auth.isDone()) {
            if (auth.user != null) {
                authUser = auth.user;
                GatewayCounter.SMTP_AUTH_SUCCESSES.increment();
            } else {
                GatewayCounter.SMTP_AUTH_FAILURES.increment();
            }
            auth = null;
        } else if (auth == null && reply != Replies.AUTH_MECHANISM_504) {
            GatewayCounter.SMTP_AUTH_FAILURES.increment();
        }
        return count(true, reply);
    }

    private static int skipSpaces(String s, int i) {
        while (i < s.length() && s.charAt(i) == ' ') {
            i++;
        }
        return i;
    }
}
