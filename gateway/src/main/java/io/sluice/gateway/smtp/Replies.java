package io.sluice.gateway.smtp;

import java.util.ArrayList;
import java.util.List;

/**
 * Every fixed SMTP reply, encoded once at class load. Names state meaning and code ({@code BAD_SEQUENCE_503}).
 * Enhanced codes follow RFC 3463 (and RFC 4954 / 6531 / 3030 where those define them). Replies whose text varies
 * (banner, EHLO, HELO, VRFY/EXPN answers) are built per server or per use; {@link #QUEUED_250} is a prefix the
 * connection completes with the queue id.
 */
public final class Replies {

    private Replies() {
    }

    // 2xx
    public static final Reply OK_250 = Reply.of(250, "2.0.0", "Ok");
    public static final Reply SENDER_OK_250 = Reply.of(250, "2.1.0", "Sender ok");
    public static final Reply RECIPIENT_OK_250 = Reply.of(250, "2.1.5", "Recipient ok");
    public static final Reply CHUNK_OK_250 = Reply.of(250, "2.0.0", "Chunk received");
    public static final Reply QUEUED_250 = Reply.prefix(250, "2.0.0", "Ok: queued as ");
    public static final Reply VRFY_CANNOT_252 = Reply.of(252, "2.5.0", "Cannot VRFY user, but will accept message");
    public static final Reply HELP_214 = Reply.of(214, "2.0.0", "Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY STARTTLS AUTH; see RFC 5321");
    public static final Reply GOODBYE_221 = Reply.closing(221, "2.0.0", "Bye");
    public static final Reply READY_FOR_TLS_220 = Reply.of(220, "2.0.0", "Ready to start TLS");
    public static final Reply AUTH_OK_235 = Reply.of(235, "2.7.0", "Authentication successful");

    // 3xx: SASL challenges are base64 only (RFC 4954 4), so no enhanced code there.
    public static final Reply START_DATA_354 = Reply.of(354, "", "End data with <CR><LF>.<CR><LF>");
    public static final Reply AUTH_CONTINUE_334 = Reply.of(334, "", "");
    public static final Reply AUTH_USERNAME_334 = Reply.of(334, "", "VXNlcm5hbWU6");
    public static final Reply AUTH_PASSWORD_334 = Reply.of(334, "", "UGFzc3dvcmQ6");

    // 4xx
    public static final Reply SHUTTING_DOWN_421 = Reply.closing(421, "4.3.2", "Service shutting down, try again later");
    public static final Reply TOO_MANY_CONNECTIONS_421 = Reply.closing(421, "4.7.0", "Too many connections, try again later");
    public static final Reply TOO_MANY_FROM_CLIENT_421 = Reply.closing(421, "4.7.0", "Too many connections from your address");
    public static final Reply TOO_MANY_ERRORS_421 = Reply.closing(421, "4.7.0", "Too many errors, closing connection");
    public static final Reply TIMEOUT_421 = Reply.closing(421, "4.4.2", "Timeout exceeded, closing connection");
    public static final Reply INTERNAL_ERROR_421 = Reply.closing(421, "4.3.0", "Internal error, closing connection");
    public static final Reply LOCAL_ERROR_451 = Reply.of(451, "4.3.0", "Local error in processing, try again later");
    public static final Reply NO_SPACE_452 = Reply.of(452, "4.3.1", "Insufficient system storage, try again later");
    public static final Reply TOO_MANY_RECIPIENTS_452 = Reply.of(452, "4.5.3", "Too many recipients");
    public static final Reply TLS_NOT_AVAILABLE_454 = Reply.of(454, "4.7.0", "TLS not available");

    // 5xx syntax
    public static final Reply LINE_TOO_LONG_500 = Reply.of(500, "5.5.2", "Line too long");
    public static final Reply BARE_LF_500 = Reply.of(500, "5.5.2", "Bare <LF> in command, use <CR><LF>");
    public static final Reply UNKNOWN_COMMAND_500 = Reply.of(500, "5.5.2", "Command unrecognized");
    public static final Reply DATA_LINE_TOO_LONG_500 = Reply.of(500, "5.5.6", "Line too long in message data (RFC 5321 4.5.3.1.6)");
    public static final Reply SYNTAX_ERROR_501 = Reply.of(501, "5.5.4", "Syntax error in parameters or arguments");
    public static final Reply HELO_SYNTAX_501 = Reply.of(501, "5.5.4", "Syntax: EHLO hostname");
    public static final Reply MAIL_SYNTAX_501 = Reply.of(501, "5.5.4", "Syntax: MAIL FROM:<address> [parameters]");
    public static final Reply RCPT_SYNTAX_501 = Reply.of(501, "5.5.4", "Syntax: RCPT TO:<address> [parameters]");
    public static final Reply BDAT_SYNTAX_501 = Reply.of(501, "5.5.4", "Syntax: BDAT size [LAST]");
    public static final Reply NO_ARGUMENTS_501 = Reply.of(501, "5.5.4", "No arguments allowed");
    public static final Reply BAD_SENDER_ADDRESS_501 = Reply.of(501, "5.1.7", "Bad sender address syntax");
    public static final Reply BAD_RECIPIENT_ADDRESS_501 = Reply.of(501, "5.1.3", "Bad recipient address syntax");
    public static final Reply AUTH_CANCELLED_501 = Reply.of(501, "5.0.0", "Authentication cancelled");
    public static final Reply AUTH_BAD_BASE64_501 = Reply.of(501, "5.5.2", "Cannot decode response");
    public static final Reply NOT_IMPLEMENTED_502 = Reply.of(502, "5.5.1", "Command not implemented");
    public static final Reply BAD_SEQUENCE_503 = Reply.of(503, "5.5.1", "Bad sequence of commands");
    public static final Reply HELO_FIRST_503 = Reply.of(503, "5.5.1", "Send EHLO or HELO first");
    public static final Reply MAIL_FIRST_503 = Reply.of(503, "5.5.1", "Need MAIL command");
    public static final Reply RCPT_FIRST_503 = Reply.of(503, "5.5.1", "Need RCPT command");
    public static final Reply NESTED_MAIL_503 = Reply.of(503, "5.5.1", "Sender already specified");
    public static final Reply ALREADY_AUTHENTICATED_503 = Reply.of(503, "5.5.1", "Already authenticated");
    public static final Reply AUTH_IN_TRANSACTION_503 = Reply.of(503, "5.5.1", "AUTH not allowed during a mail transaction");
    public static final Reply TLS_ALREADY_ACTIVE_503 = Reply.of(503, "5.5.1", "TLS already active");
    public static final Reply DATA_AFTER_BDAT_503 = Reply.of(503, "5.5.1", "DATA not allowed after BDAT or with BODY=BINARYMIME");
    public static final Reply AUTH_MECHANISM_504 = Reply.of(504, "5.5.4", "Unrecognized authentication type");
    public static final Reply AUTH_FAILED_535 = Reply.of(535, "5.7.8", "Authentication credentials invalid");
    public static final Reply ENCRYPTION_REQUIRED_538 = Reply.of(538, "5.7.11", "Encryption required for requested authentication mechanism");
    public static final Reply UNKNOWN_PARAMETER_555 = Reply.of(555, "5.5.4", "Unsupported parameter");

    // 5xx policy and content
    public static final Reply NO_SUCH_USER_550 = Reply.of(550, "5.1.1", "No such user here");
    public static final Reply BARE_LINE_ENDING_550 = Reply.of(550, "5.6.0", "Message refused: bare <CR> or <LF> in message data, use <CR><LF> (RFC 5321 2.3.8)");
    public static final Reply MESSAGE_TOO_BIG_552 = Reply.of(552, "5.3.4", "Message size exceeds fixed limit");
    public static final Reply SMTPUTF8_REQUIRED_553 = Reply.of(553, "5.6.7", "Non-ASCII address needs the SMTPUTF8 parameter");
    public static final Reply NO_VALID_RECIPIENTS_554 = Reply.of(554, "5.5.1", "No valid recipients");
    public static final Reply RELAY_DENIED_554 = Reply.of(554, "5.7.1", "Relay access denied");

    /**
     * The EHLO reply; its keyword lines carry no enhanced code (RFC 2034 3).
     *
     * @param startTls offer STARTTLS (keystore configured and not yet in TLS)
     * @param auth     offer AUTH PLAIN LOGIN
     */
    static Reply ehlo(String hostname, long maxMessageBytes, boolean startTls, boolean auth) {
        List<String> lines = new ArrayList<>();
        lines.add(hostname);
        lines.add("PIPELINING");
        lines.add("SIZE " + maxMessageBytes);
        lines.add("8BITMIME");
        lines.add("ENHANCEDSTATUSCODES");
        lines.add("SMTPUTF8");
        lines.add("CHUNKING");
        lines.add("BINARYMIME");
        lines.add("DSN");
        if (startTls) {
            lines.add("STARTTLS");
        }
        if (auth) {
            lines.add("AUTH PLAIN LOGIN");
        }
        return Reply.multiline(250, "", lines);
    }

    static Reply banner(String hostname) {
        return Reply.of(220, "", hostname + " ESMTP Sluice");
    }

    static Reply helo(String hostname) {
        return Reply.of(250, "", hostname);
    }
}
