package io.sluice.gateway.smtp;

import io.sluice.spool.SpoolEntry;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.apache.commons.net.smtp.AuthenticatingSMTPClient;
import org.apache.commons.net.smtp.SMTPClient;
import org.apache.commons.net.smtp.SMTPReply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real third-party clients against a real server on the real spool. */
@Timeout(180)
class InteropTest {

    private TempSpool temp;
    private SmtpTestServer smtp;
    private Path keystore;

    @BeforeEach
    void start() throws Exception {
        keystore = TestKeystore.get();
        temp = new TempSpool();
        smtp = SmtpTestServer.start(temp.spool, SmtpTestServer.exampleDirectory(), o -> {
            o.keystore = keystore.toString();
            o.keystorePassword = TestKeystore.PASSWORD;
        });
    }

    @AfterEach
    void stop() {
        smtp.close();
        temp.close();
    }

    private static String run(List<String> command, String stdin) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + command);
        }
        assertEquals(0, p.exitValue(), command.get(0) + " failed:\n" + out);
        return out;
    }

    private String onlyMessage() throws IOException {
        List<SpoolEntry> entries = temp.entries();
        assertEquals(1, entries.size(), "messages in spool: " + entries);
        return new String(temp.message(entries.get(0).id().toString()), StandardCharsets.UTF_8);
    }

    @Test
    void pythonSmtplibShouldSendWithSmtputf8() throws Exception {
        String script = String.join("\n",
            "import smtplib, sys",
            "s = smtplib.SMTP('127.0.0.1', int(sys.argv[1]), timeout=30)",
            "s.ehlo('py.test')",
            "assert s.has_extn('smtputf8') and s.has_extn('pipelining') and s.has_extn('size')",
            "code, _ = s.verify('alice')",
            "assert code == 252, code",
            "msg = 'Subject: py\\r\\n\\r\\n.dot first\\r\\nhello\\r\\n'.encode()",
            "refused = s.sendmail('sender@remote.test', ['alice@example.org', 'bob@example.org', 'nobody@example.org'], msg, mail_options=['SMTPUTF8'])",
            "assert list(refused) == ['nobody@example.org'], refused",
            "s.quit()",
            "print('ok')");
        String out = run(List.of("python3", "-c", script, String.valueOf(smtp.port())), null);
        assertTrue(out.contains("ok"), out);
        String message = onlyMessage();
        assertTrue(message.endsWith("Subject: py\r\n\r\n.dot first\r\nhello\r\n"), message);
        assertEquals(2, temp.entries().get(0).envelope().recipients().size());
    }

    @Test
    void pythonSmtplibShouldAuthenticateOverStarttls() throws Exception {
        String script = String.join("\n",
            "import smtplib, ssl, sys",
            "ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE",
            "s = smtplib.SMTP('127.0.0.1', int(sys.argv[1]), timeout=30)",
            "s.starttls(context=ctx)",
            "s.login('alice', 'secret')",
            "s.sendmail('alice@example.org', ['far@remote.test'], b'Subject: relay\\r\\n\\r\\nvia auth\\r\\n')",
            "s.quit()",
            "print('ok')");
        run(List.of("python3", "-c", script, String.valueOf(smtp.port())), null);
        SpoolEntry e = temp.entries().get(0);
        assertEquals("far@remote.test", e.envelope().recipients().get(0).address());
        assertEquals("ESMTPSA", e.envelope().client().protocol());
    }

    @Test
    void curlShouldSend() throws Exception {
        run(List.of("curl", "-sS", "--max-time", "60", "smtp://127.0.0.1:" + smtp.port() + "/curl.test",
            "--mail-from", "sender@remote.test", "--mail-rcpt", "alice@example.org", "-T", "-"),
            "Subject: curl\r\n\r\nfrom curl\r\n");
        assertTrue(onlyMessage().endsWith("Subject: curl\r\n\r\nfrom curl\r\n"));
    }

    @Test
    void swaksShouldPipelineAndUseStarttlsWithAuth() throws Exception {
        String out = run(List.of("swaks", "--server", "127.0.0.1:" + smtp.port(), "--from", "sender@remote.test",
            "--to", "alice@example.org,bob@example.org", "--pipeline", "--body", "pipelined body"), null);
        assertTrue(out.contains("250 2.0.0 Ok: queued as"), out);
        out = run(List.of("swaks", "--server", "127.0.0.1:" + smtp.port(), "--from", "alice@example.org",
            "--to", "far@remote.test", "--tls", "--auth", "PLAIN", "--auth-user", "alice", "--auth-password", "secret",
            "--body", "over tls"), null);
        assertTrue(out.contains("235 2.7.0") && out.contains("queued as"), out);
        assertEquals(2, temp.entries().size());
    }

    @Test
    void commonsNetShouldSendAndSeeRefusals() throws Exception {
        SMTPClient client = new SMTPClient();
        client.setDefaultTimeout(30_000);
        client.connect("127.0.0.1", smtp.port());
        try {
            assertTrue(SMTPReply.isPositiveCompletion(client.getReplyCode()));
            assertTrue(client.login("commons.test"));
            assertTrue(client.setSender("sender@remote.test"));
            assertTrue(client.addRecipient("alice@example.org"));
            assertTrue(!client.addRecipient("someone@elsewhere.test"), client.getReplyString());
            assertEquals(554, client.getReplyCode());
            assertTrue(client.sendShortMessageData("Subject: commons\r\n\r\nnet\r\n"), client.getReplyString());
            assertTrue(client.getReplyString().startsWith("250 2.0.0 Ok: queued as "));
            client.logout();
        } finally {
            client.disconnect();
        }
        AuthenticatingSMTPClient tls = new AuthenticatingSMTPClient();
        tls.setDefaultTimeout(30_000);
        tls.setTrustManager(org.apache.commons.net.util.TrustManagerUtils.getAcceptAllTrustManager());
        tls.connect("127.0.0.1", smtp.port());
        try {
            tls.ehlo("commons.test");
            assertTrue(tls.execTLS(), tls.getReplyString());
            tls.ehlo("commons.test");
            assertTrue(tls.auth(AuthenticatingSMTPClient.AUTH_METHOD.LOGIN, "alice", "secret"), tls.getReplyString());
        } finally {
            tls.disconnect();
        }
        assertTrue(onlyMessage().endsWith("net\r\n"));
    }

    @Test
    void jakartaMailShouldSendOverStarttlsWithAuth() throws Exception {
        Properties p = new Properties();
        p.put("mail.smtp.host", "127.0.0.1");
        p.put("mail.smtp.port", String.valueOf(smtp.port()));
        p.put("mail.smtp.starttls.enable", "true");
        p.put("mail.smtp.starttls.required", "true");
        p.put("mail.smtp.ssl.trust", "*");
        p.put("mail.smtp.ssl.checkserveridentity", "false");
        p.put("mail.smtp.auth", "true");
        p.put("mail.smtp.timeout", "30000");
        p.put("mail.smtp.connectiontimeout", "30000");
        Session session = Session.getInstance(p);
        MimeMessage m = new MimeMessage(session);
        m.setFrom(new InternetAddress("alice@example.org"));
        m.setRecipient(Message.RecipientType.TO, new InternetAddress("team@example.org"));
        m.setSubject("angus");
        m.setText("hello from angus\n.\n");
        Transport.send(m, "alice", "secret");
        String message = onlyMessage();
        assertTrue(message.contains("Subject: angus") && message.contains("hello from angus\r\n.\r\n"), message);
        assertEquals(2, temp.entries().get(0).envelope().recipients().size(), "team expands to alice and bob");
    }

    @Test
    void postfixSmtpSourceShouldPipelineManyMessagesOverConcurrentSessions() throws Exception {
        Path tool = Path.of("/usr/sbin/smtp-source");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(tool), "postfix smtp-source not installed");
        // -s sessions, -m messages in total, -l body length, -d keeps a session for many messages.
        run(List.of(tool.toString(), "-d", "-s", "5", "-m", "100", "-l", "3000", "-f", "sender@remote.test",
            "-t", "bob@example.org", "-M", "source.test", "127.0.0.1:" + smtp.port()), null);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (temp.entries().size() < 100 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(100, temp.entries().size());
    }
}
