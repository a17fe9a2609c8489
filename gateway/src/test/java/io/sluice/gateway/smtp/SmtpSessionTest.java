package io.sluice.gateway.smtp;

import io.sluice.gateway.config.Cidr;
import io.sluice.gateway.config.GatewayConfig;
import io.sluice.gateway.smtp.SmtpSession.DataOutcome;
import io.sluice.gateway.smtp.SmtpSession.State;
import io.sluice.spool.Envelope;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The state machine without sockets: one test per reply path; every Replies constant is reached somewhere. */
@Timeout(30)
class SmtpSessionTest {

    /** Replies this class saw; checked against the Replies constants after all tests. */
    private static final Set<Reply> SEEN = ConcurrentHashMap.newKeySet();
    /** Replies only the connection or server sends, with the socket test that covers each. */
    private static final Set<String> COVERED_BY_SOCKET_TESTS = Set.of(
        "SHUTTING_DOWN_421",        // SmtpConnectionTest.shouldReply421ToIdleSessionsOnClose
        "TOO_MANY_CONNECTIONS_421", // SmtpConnectionTest.shouldReply421OverTheConnectionLimit
        "TOO_MANY_FROM_CLIENT_421", // SmtpConnectionTest.shouldReply421OverThePerClientLimit
        "TIMEOUT_421",              // SmtpConnectionTest.shouldReply421WhenTheClientIsSilent
        "INTERNAL_ERROR_421");      // SmtpConnectionTest.shouldEndOnlyThatSessionOnABug

    private final MemorySpool spool = new MemorySpool();
    private final CommandLine line = new CommandLine();
    private SmtpSession session;

    private SmtpSession session(boolean tls, boolean authWithoutTls, int maxErrors, boolean vrfyExpn, String relayNet) {
        GatewayConfig.SmtpConfig smtp = new GatewayConfig.SmtpConfig("127.0.0.1", 0, 0, 1000, 2, 10, 10, maxErrors,
            Duration.ofMinutes(5), Duration.ofMinutes(3), Duration.ofMinutes(10), authWithoutTls, vrfyExpn, vrfyExpn);
        GatewayConfig.RelayConfig relay = new GatewayConfig.RelayConfig(
            relayNet == null ? List.of() : List.of(Cidr.parse("relay.networks", relayNet)));
        SmtpSettings settings = new SmtpSettings("mx.test", smtp, true, relay, SmtpTestServer.exampleDirectory(), spool);
        return new SmtpSession(settings, InetAddress.getLoopbackAddress(), tls);
    }

    private SmtpSession plain() {
        return session(false, false, 20, false, null);
    }

    private Reply cmd(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        SmtpCommand verb = line.wrap(b, 0, b.length);
        Reply r = session.isAwaitingAuthResponse() ? session.onAuthResponse(line.wrapArgs(b, 0, b.length)) : session.onCommand(verb, line);
        SEEN.add(r);
        return r;
    }

    private void expect(Reply expected, String command) {
        Reply r = cmd(command);
        assertSame(expected, r, command + " -> Reply=" + r);
    }

    private void expectCode(String prefix, String command) {
        Reply r = cmd(command);
        assertTrue(r.toString().startsWith(prefix), command + " -> Reply=" + r);
    }

    private Reply end(DataOutcome outcome) {
        Reply r = session.onMessageEnd(outcome);
        SEEN.add(r);
        return r;
    }

    private void toRcpt() {
        expectCode("250", "EHLO c.test");
        expect(Replies.SENDER_OK_250, "MAIL FROM:<a@remote.test>");
        expect(Replies.RECIPIENT_OK_250, "RCPT TO:<alice@example.org>");
    }

    @Test
    void shouldGreetAndAdvertiseExtensions() {
        session = plain();
        SEEN.add(session.greeting());
        assertEquals("220 mx.test ESMTP Sluice", session.greeting().toString());
        String ehlo = cmd("EHLO c.test").toString();
        for (String kw : List.of("PIPELINING", "SIZE 1000", "8BITMIME", "ENHANCEDSTATUSCODES", "SMTPUTF8", "CHUNKING", "DSN", "STARTTLS")) {
            assertTrue(ehlo.contains("250-" + kw) || ehlo.contains("250 " + kw), kw + " in " + ehlo);
        }
        assertFalse(ehlo.contains("AUTH"), "no AUTH over plaintext: " + ehlo);
        assertEquals("250 mx.test", cmd("HELO c.test").toString());
        assertEquals(State.GREETED, session.state());
    }

    @Test
    void shouldAdvertiseAuthButNotStarttlsInsideTls() {
        session = session(true, false, 20, false, null);
        String ehlo = cmd("EHLO c.test").toString();
        assertTrue(ehlo.contains("AUTH PLAIN LOGIN"), ehlo);
        assertFalse(ehlo.contains("STARTTLS"), ehlo);
        expect(Replies.TLS_ALREADY_ACTIVE_503, "STARTTLS");
    }

    @Test
    void shouldRefuseBadHeloArguments() {
        session = plain();
        expect(Replies.HELO_SYNTAX_501, "EHLO");
        expect(Replies.HELO_SYNTAX_501, "HELO two words");
    }

    @Test
    void shouldEnforceCommandSequence() {
        session = plain();
        expect(Replies.HELO_FIRST_503, "MAIL FROM:<a@b.test>");
        expect(Replies.HELO_FIRST_503, "DATA");
        expect(Replies.HELO_FIRST_503, "AUTH PLAIN");
        expectCode("250", "EHLO c.test");
        expect(Replies.MAIL_FIRST_503, "DATA");
        expect(Replies.SENDER_OK_250, "MAIL FROM:<>");
        expect(Replies.NESTED_MAIL_503, "MAIL FROM:<>");
        expect(Replies.RCPT_FIRST_503, "DATA");
        expect(Replies.AUTH_IN_TRANSACTION_503, "AUTH PLAIN");
    }

    @Test
    void shouldRunAWholeTransactionAndResetAfterIt() {
        session = plain();
        toRcpt();
        expect(Replies.NO_ARGUMENTS_501, "DATA now");
        expect(Replies.START_DATA_354, "DATA");
        assertEquals(State.DATA, session.state());
        Envelope env = session.envelope(1L);
        assertEquals("a@remote.test", env.sender());
        assertEquals("ESMTP", env.client().protocol());
        assertSame(Replies.QUEUED_250, end(DataOutcome.QUEUED));
        assertEquals(State.GREETED, session.state());
        expect(Replies.MAIL_FIRST_503, "RCPT TO:<alice@example.org>");
    }

    @Test
    void shouldMapEveryRefusedBodyToItsReply() {
        session = plain();
        Object[][] cases = {
            {DataOutcome.TOO_LARGE, Replies.MESSAGE_TOO_BIG_552},
            {DataOutcome.BARE_LINE_ENDING, Replies.BARE_LINE_ENDING_550},
            {DataOutcome.LINE_TOO_LONG, Replies.DATA_LINE_TOO_LONG_500},
            {DataOutcome.NO_SPACE, Replies.NO_SPACE_452},
            {DataOutcome.LOCAL_ERROR, Replies.LOCAL_ERROR_451}};
        for (Object[] c : cases) {
            toRcpt();
            expect(Replies.START_DATA_354, "DATA");
            assertSame(c[1], end((DataOutcome) c[0]));
        }
    }

    @Test
    void shouldRefuseDataWhenTheSpoolIsFull() {
        session = plain();
        toRcpt();
        spool.hasSpace = false;
        expect(Replies.NO_SPACE_452, "DATA");
    }

    @Test
    void shouldRefuseOversizeMailAndBadParameters() {
        session = plain();
        expectCode("250", "EHLO c.test");
        expect(Replies.MESSAGE_TOO_BIG_552, "MAIL FROM:<a@b.test> SIZE=1001");
        expect(Replies.SYNTAX_ERROR_501, "MAIL FROM:<a@b.test> SIZE=abc");
        expect(Replies.SYNTAX_ERROR_501, "MAIL FROM:<a@b.test> SIZE=1 SIZE=2");
        expect(Replies.UNKNOWN_PARAMETER_555, "MAIL FROM:<a@b.test> XYZ");
        expect(Replies.MAIL_SYNTAX_501, "MAIL TO:<a@b.test>");
        expect(Replies.BAD_SENDER_ADDRESS_501, "MAIL FROM:<a b@b.test>");
        expect(Replies.SMTPUTF8_REQUIRED_553, "MAIL FROM:<jörg@b.test>");
        expect(Replies.SENDER_OK_250, "MAIL FROM:<jörg@b.test> SMTPUTF8 BODY=8BITMIME");
    }

    @Test
    void shouldRefuseParametersAfterPlainHelo() {
        session = plain();
        expectCode("250", "HELO c.test");
        expect(Replies.UNKNOWN_PARAMETER_555, "MAIL FROM:<a@b.test> SIZE=10");
    }

    @Test
    void shouldLimitRecipientsAndDenyRelay() {
        session = plain();
        toRcpt();
        expect(Replies.RELAY_DENIED_554, "RCPT TO:<x@remote.test>");
        expect(Replies.RCPT_SYNTAX_501, "RCPT alice@example.org");
        expect(Replies.BAD_RECIPIENT_ADDRESS_501, "RCPT TO:<a..b@example.org>");
        expect(Replies.NO_SUCH_USER_550, "RCPT TO:<nobody@example.org>");
        expect(Replies.RECIPIENT_OK_250, "RCPT TO:<bob@example.org>");
        expect(Replies.TOO_MANY_RECIPIENTS_452, "RCPT TO:<team@example.org>");
    }

    @Test
    void shouldRelayForListedNetworks() {
        session = session(false, false, 20, false, "127.0.0.0/8");
        expectCode("250", "EHLO c.test");
        expect(Replies.SENDER_OK_250, "MAIL FROM:<a@b.test>");
        expect(Replies.RECIPIENT_OK_250, "RCPT TO:<x@remote.test>");
        expect(Replies.RECIPIENT_OK_250, "RCPT TO:<y@[IPv6:2001:db8::1]>");
    }

    @Test
    void shouldAnswerNoopRsetHelpQuitAndUnknown() {
        session = plain();
        expect(Replies.OK_250, "NOOP");
        expect(Replies.OK_250, "RSET");
        assertEquals(State.CONNECTED, session.state(), "RSET before EHLO keeps CONNECTED");
        expect(Replies.NO_ARGUMENTS_501, "RSET x");
        expect(Replies.HELP_214, "HELP");
        expect(Replies.UNKNOWN_COMMAND_500, "FOO");
        expect(Replies.UNKNOWN_COMMAND_500, "");
        expect(Replies.UNKNOWN_COMMAND_500, "MAILX");
        expect(Replies.GOODBYE_221, "QUIT");
        assertEquals(State.CLOSING, session.state());
    }

    @Test
    void shouldKeepVrfyAndExpnClosedByDefault() {
        session = plain();
        expect(Replies.VRFY_CANNOT_252, "VRFY alice");
        expect(Replies.SYNTAX_ERROR_501, "VRFY");
        expect(Replies.NOT_IMPLEMENTED_502, "EXPN team");
    }

    @Test
    void shouldAnswerVrfyAndExpnFromTheDirectoryWhenOn() {
        session = session(false, false, 20, true, null);
        assertEquals("250 2.1.5 Alice Liddell <alice@example.org>", cmd("VRFY <alice@example.org>").toString());
        expect(Replies.NO_SUCH_USER_550, "VRFY nobody@example.org");
        assertEquals("250-2.1.5 <alice@example.org>\r\n250 2.1.5 <bob>", cmd("EXPN team@example.org").toString());
        expect(Replies.NO_SUCH_USER_550, "EXPN nobody@example.org");
    }

    @Test
    void shouldStartTlsAndForgetTheSession() {
        session = plain();
        expectCode("250", "EHLO c.test");
        expect(Replies.NO_ARGUMENTS_501, "STARTTLS now");
        expect(Replies.READY_FOR_TLS_220, "STARTTLS");
        session.onTlsStarted();
        assertEquals(State.CONNECTED, session.state());
        expect(Replies.HELO_FIRST_503, "MAIL FROM:<>");
    }

    @Test
    void shouldSayTlsNotAvailableWithoutAKeystore() {
        GatewayConfig.SmtpConfig smtp = new GatewayConfig.SmtpConfig("127.0.0.1", 0, 0, 1000, 2, 10, 10, 20,
            Duration.ofMinutes(5), Duration.ofMinutes(3), Duration.ofMinutes(10), false, false, false);
        SmtpSettings settings = new SmtpSettings("mx.test", smtp, false, new GatewayConfig.RelayConfig(List.of()),
            SmtpTestServer.exampleDirectory(), spool);
        session = new SmtpSession(settings, InetAddress.getLoopbackAddress(), false);
        expect(Replies.TLS_NOT_AVAILABLE_454, "STARTTLS");
    }

    @Test
    void shouldRequireEncryptionForAuth() {
        session = plain();
        expectCode("250", "EHLO c.test");
        expect(Replies.ENCRYPTION_REQUIRED_538, "AUTH PLAIN");
    }

    @Test
    void shouldAuthenticateWithPlainAndLogin() {
        session = session(true, false, 20, false, null);
        expectCode("250", "EHLO c.test");
        expect(Replies.AUTH_MECHANISM_504, "AUTH CRAM-MD5");
        expect(Replies.SYNTAX_ERROR_501, "AUTH");
        expect(Replies.AUTH_FAILED_535, "AUTH PLAIN " + b64("\0alice\0wrong"));
        expect(Replies.AUTH_CONTINUE_334, "AUTH PLAIN");
        expect(Replies.AUTH_CANCELLED_501, "*");
        expect(Replies.AUTH_USERNAME_334, "AUTH LOGIN");
        expect(Replies.AUTH_BAD_BASE64_501, "!!!");
        expect(Replies.AUTH_USERNAME_334, "AUTH LOGIN");
        expect(Replies.AUTH_PASSWORD_334, b64("alice"));
        expect(Replies.AUTH_OK_235, b64("secret"));
        expect(Replies.ALREADY_AUTHENTICATED_503, "AUTH PLAIN " + b64("\0alice\0secret"));
        expect(Replies.SENDER_OK_250, "MAIL FROM:<alice@example.org> AUTH=<>");
        expect(Replies.RECIPIENT_OK_250, "RCPT TO:<x@remote.test>");
        assertEquals("ESMTPSA", session.envelope(1).client().protocol());
        assertEquals("alice", session.envelope(1).client().authUser());
    }

    @Test
    void shouldCloseAfterTooManyErrorsAndResetTheCountOnAcceptedMail() {
        session = session(false, false, 3, false, null);
        expect(Replies.UNKNOWN_COMMAND_500, "X1");
        expect(Replies.UNKNOWN_COMMAND_500, "X2");
        toRcpt();
        expect(Replies.START_DATA_354, "DATA");
        end(DataOutcome.QUEUED);
        expect(Replies.UNKNOWN_COMMAND_500, "X3");
        expect(Replies.UNKNOWN_COMMAND_500, "X4");
        expect(Replies.TOO_MANY_ERRORS_421, "X5");
        assertEquals(State.CLOSING, session.state());
    }

    @Test
    void shouldCountOverlongAndBareLfLines() {
        session = plain();
        Reply a = session.onLineTooLong();
        Reply b = session.onBareLineFeed();
        SEEN.add(a);
        SEEN.add(b);
        assertSame(Replies.LINE_TOO_LONG_500, a);
        assertSame(Replies.BARE_LF_500, b);
    }

    @Test
    void shouldRunBdatChunksAndRefuseDataAfterThem() {
        session = plain();
        toRcpt();
        expect(Replies.BDAT_SYNTAX_501, "BDAT x");
        expect(SmtpSession.READ_CHUNK, "BDAT 10");
        assertEquals(10, session.chunkBytes());
        assertFalse(session.isLastChunk());
        assertSame(Replies.CHUNK_OK_250, session.onChunkEnd(DataOutcome.CHUNK_STORED));
        SEEN.add(Replies.CHUNK_OK_250);
        expect(Replies.DATA_AFTER_BDAT_503, "DATA");
        expect(Replies.BAD_SEQUENCE_503, "RCPT TO:<bob@example.org>");
        expect(SmtpSession.READ_CHUNK, "BDAT 0 LAST");
        assertTrue(session.isLastChunk());
        assertSame(Replies.QUEUED_250, end(DataOutcome.QUEUED));
        expect(Replies.MAIL_FIRST_503, "BDAT 5");
        assertEquals(5, session.chunkBytes(), "a refused chunk is still read and dropped");
    }

    @Test
    void shouldRefuseDataWithBinaryMime() {
        session = plain();
        expectCode("250", "EHLO c.test");
        expect(Replies.SENDER_OK_250, "MAIL FROM:<a@b.test> BODY=BINARYMIME");
        expect(Replies.RECIPIENT_OK_250, "RCPT TO:<alice@example.org>");
        expect(Replies.DATA_AFTER_BDAT_503, "DATA");
    }

    @Test
    void shouldRefuseDataWhenAListExpandedToNobody() {
        GatewayConfig.SmtpConfig smtp = new GatewayConfig.SmtpConfig("127.0.0.1", 0, 0, 1000, 2, 10, 10, 20,
            Duration.ofMinutes(5), Duration.ofMinutes(3), Duration.ofMinutes(10), false, false, false);
        MapDirectory dir = SmtpTestServer.exampleDirectory().alias("empty@example.org", List.of(), List.of());
        session = new SmtpSession(new SmtpSettings("mx.test", smtp, false, new GatewayConfig.RelayConfig(List.of()), dir, spool),
            InetAddress.getLoopbackAddress(), false);
        expectCode("250", "EHLO c.test");
        expect(Replies.SENDER_OK_250, "MAIL FROM:<a@b.test>");
        expect(Replies.RECIPIENT_OK_250, "RCPT TO:<empty@example.org>");
        expect(Replies.NO_VALID_RECIPIENTS_554, "DATA");
    }

    @AfterAll
    static void everyReplyConstantIsCovered() throws IllegalAccessException {
        for (Field f : Replies.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == Reply.class) {
                Reply r = (Reply) f.get(null);
                if (!SEEN.contains(r) && !COVERED_BY_SOCKET_TESTS.contains(f.getName())) {
                    fail("Replies." + f.getName() + " is not covered by any test");
                }
            }
        }
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
