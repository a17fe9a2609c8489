package io.sluice.gateway.smtp;

import io.sluice.spool.Recipient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * RCPT TO, one test per reply path, against a real server on a real socket: send a line, expect a line.
 * The anchor for protocol tests (see STYLE.md 14).
 */
@Timeout(60)
class RcptCommandTest {

    private final MemorySpool spool = new MemorySpool();
    private SmtpTestServer smtp;
    private ScriptedClient client;

    @BeforeEach
    void start() throws IOException {
        smtp = SmtpTestServer.start(spool, SmtpTestServer.exampleDirectory(), o -> o.maxRecipients = 3);
        client = ScriptedClient.connect(smtp.port()).ehlo();
    }

    @AfterEach
    void stop() throws IOException {
        client.close();
        smtp.close();
    }

    @Test
    void shouldReply503WhenRcptBeforeMail() throws IOException {
        client.send("RCPT TO:<alice@example.org>").expect("503 5.5.1 Need MAIL");
    }

    @Test
    void shouldReply503WhenRcptBeforeHelo() throws IOException {
        try (ScriptedClient fresh = ScriptedClient.connect(smtp.port())) {
            fresh.send("RCPT TO:<alice@example.org>").expect("503 5.5.1 Send EHLO");
        }
    }

    @Test
    void shouldAcceptALocalUserInAnyCase() throws IOException {
        client.send("MAIL FROM:<sender@remote.test>").expect("250 2.1.0");
        client.send("rcpt to:<ALICE@Example.ORG>").expect("250 2.1.5");
    }

    @Test
    void shouldReply550ForAnUnknownLocalUser() throws IOException {
        client.send("MAIL FROM:<sender@remote.test>").expect("250 2.1.0");
        client.send("RCPT TO:<nobody@example.org>").expect("550 5.1.1");
    }

    @Test
    void shouldDenyRelayToARemoteDomainFromAnUnlistedClient() throws IOException {
        client.send("MAIL FROM:<sender@remote.test>").expect("250 2.1.0");
        client.send("RCPT TO:<someone@elsewhere.test>").expect("554 5.7.1 Relay access denied");
        client.send("RCPT TO:<someone@[192.0.2.1]>").expect("554 5.7.1");
    }

    @Test
    void shouldReply501ForSyntaxErrors() throws IOException {
        client.send("MAIL FROM:<sender@remote.test>").expect("250 2.1.0");
        client.send("RCPT alice@example.org").expect("501 5.5.4 Syntax: RCPT TO");
        client.send("RCPT TO:<alice@@example.org>").expect("501 5.1.3");
        client.send("RCPT TO:<>").expect("501 5.1.3");
        client.send("RCPT TO:<alice@example.org> NOTIFY=SOMETIMES").expect("501 5.5.4");
    }

    @Test
    void shouldReply555ForAnUnknownParameter() throws IOException {
        client.send("MAIL FROM:<sender@remote.test>").expect("250 2.1.0");
        client.send("RCPT TO:<alice@example.org> FOO=BAR").expect("555 5.5.4");
        client.send("RCPT TO:<alice@example.org> SIZE=10").expect("555 5.5.4");
    }

    @Test
    void shouldReply553ForAUtf8AddressWithoutSmtputf8() throws IOException {
        client.send("MAIL FROM:<sender@remote.test>").expect("250 2.1.0");
        client.send("RCPT TO:<jörg@example.org>").expect("553 5.6.7");
    }

    @Test
    void shouldReply452BeyondMaxRecipients() throws IOException {
        client.send("MAIL FROM:<sender@remote.test>").expect("250 2.1.0");
        client.send("RCPT TO:<alice@example.org>").expect("250 2.1.5");
        client.send("RCPT TO:<bob@example.org>").expect("250 2.1.5");
        client.send("RCPT TO:<team@example.org>").expect("250 2.1.5");
        client.send("RCPT TO:<alice@example.org>").expect("452 4.5.3");
    }

    @Test
    void shouldAcceptPostmasterWithoutADomain() throws IOException {
        client.send("MAIL FROM:<>").expect("250 2.1.0");
        client.send("RCPT TO:<Postmaster>").expect("250 2.1.5");
    }

    @Test
    void shouldExpandAnAliasKeepDsnParametersAndDeduplicate() throws IOException {
        client.send("MAIL FROM:<sender@remote.test> RET=HDRS ENVID=abc+2Bdef").expect("250 2.1.0");
        client.send("RCPT TO:<team@example.org> NOTIFY=SUCCESS,FAILURE").expect("250 2.1.5");
        client.send("RCPT TO:<alice@example.org> ORCPT=rfc822;alice+40example.org").expect("250 2.1.5");
        client.send("DATA").expect("354");
        client.sendRaw("Subject: t\r\n\r\nhi\r\n.\r\n").expect("250 2.0.0 Ok: queued as ");
        MemorySpool.Stored m = spool.only();
        assertEquals(List.of(
            new Recipient("alice@example.org", "rfc822;team@example.org", Recipient.NOTIFY_SUCCESS | Recipient.NOTIFY_FAILURE),
            new Recipient("bob@example.org", "rfc822;team@example.org", Recipient.NOTIFY_SUCCESS | Recipient.NOTIFY_FAILURE)),
            m.envelope().recipients());
        assertEquals("HDRS", m.envelope().dsnRet());
        assertEquals("abc+def", m.envelope().dsnEnvId());
    }
}
