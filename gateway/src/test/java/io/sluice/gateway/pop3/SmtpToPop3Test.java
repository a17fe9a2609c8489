package io.sluice.gateway.pop3;

import io.sluice.gateway.config.Cidr;
import io.sluice.gateway.config.GatewayConfig;
import io.sluice.gateway.delivery.DeliveryResult;
import io.sluice.gateway.local.LocalMail;
import io.sluice.gateway.local.LocalTestSupport;
import io.sluice.gateway.smtp.SmtpServer;
import io.sluice.spool.Durability;
import io.sluice.spool.MessageBody;
import io.sluice.spool.RecipientState;
import io.sluice.spool.Spool;
import io.sluice.spool.SpoolEntry;
import io.sluice.spool.SpoolOptions;
import io.sluice.spool.chronicle.ChronicleSpool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole local path with real parts and real clients: Python smtplib -> SmtpServer -> Chronicle spool ->
 * LocalTransport (driven by a commit listener standing in for the delivery agent) -> Maildir -> Pop3Server ->
 * Python poplib. The message must come out as it went in, below the trace headers the gateway adds.
 */
@Timeout(180)
class SmtpToPop3Test {

    @TempDir
    Path root;

    @Test
    void shouldDeliverSmtpMailToAliasMembersAndServeItOverPop3() throws Exception {
        GatewayConfig.LocalConfig localConfig = LocalTestSupport.config(root, 0);
        LocalTestSupport.writeUsers(localConfig.usersFile(), "fred", "secret", "Fred Smith", "wilma", "other", "");
        Files.writeString(localConfig.aliasesFile(), "team: fred, wilma\n");
        GatewayConfig.SmtpConfig smtpConfig = new GatewayConfig.SmtpConfig("127.0.0.1", 0, 0, 10L << 20, 100, 100, 100,
            20, Duration.ofMinutes(1), Duration.ofMinutes(1), Duration.ofMinutes(2), false, true, true);
        GatewayConfig.TlsConfig noTls = new GatewayConfig.TlsConfig("", "");
        try (LocalMail local = new LocalMail(localConfig, "test.host").start();
             Spool spool = ChronicleSpool.open(new SpoolOptions(root.resolve("spool"), Durability.OS, 10L << 20, 0,
                 Duration.ofHours(1)));
             Pop3Server pop3 = new Pop3Server(new GatewayConfig.Pop3Config(true, "127.0.0.1", 0, 0, true,
                 Duration.ofMinutes(1), Duration.ZERO), noTls, local).start();
             SmtpServer smtp = new SmtpServer("gw.test", smtpConfig, noTls,
                 new GatewayConfig.RelayConfig(List.of(Cidr.parse("relay.networks", "127.0.0.0/8"))), spool, local)) {
            spool.setCommitListener(entry -> Thread.ofVirtual().start(() -> deliverLocally(spool, local, entry)));
            smtp.start();

            byte[] message = Pop3InteropTest.mimeMessage();
            Path eml = root.resolve("message.eml");
            Files.write(eml, message);
            Path script = root.resolve("roundtrip.py");
            Files.writeString(script, """
                import json, poplib, smtplib, sys, time
                smtp_port, pop3_port, eml = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
                data = open(eml, 'rb').read()
                with smtplib.SMTP('127.0.0.1', smtp_port, timeout=60) as s:
                    code, vrfy = s.verify('fred@example.org')
                    refused = s.sendmail('joerg@remote.example', ['team@example.org'], data)
                result = {'vrfy': [code, vrfy.decode()], 'refused': list(refused)}
                for user, pw in (('fred', 'secret'), ('wilma', 'other')):
                    deadline = time.time() + 60
                    while True:
                        box = poplib.POP3('127.0.0.1', pop3_port, timeout=60)
                        box.user(user); box.pass_(pw)
                        count, size = box.stat()
                        if count > 0 or time.time() > deadline:
                            break
                        box.quit(); time.sleep(0.1)
                    resp, lines, octets = box.retr(1)
                    box.dele(1); box.quit()
                    raw = b'\\r\\n'.join(lines) + b'\\r\\n'
                    result[user] = {'count': count, 'endsWithMessage': raw.endswith(data),
                                    'head': raw[:len(raw) - len(data)].decode('utf-8', 'replace')}
                print(json.dumps(result))
                """);
            String json = Pop3InteropTest.run(List.of("python3", script.toString(), String.valueOf(smtp.port()),
                String.valueOf(pop3.port()), eml.toString()));
            assertTrue(json.contains("\"vrfy\": [250, \"2.1.5 Fred Smith <fred@example.org>\"]"), json);
            assertTrue(json.contains("\"refused\": []"), json);
            for (String user : List.of("fred", "wilma")) {
                int at = json.indexOf("\"" + user + "\": {");
                assertTrue(at > 0, json);
                String part = json.substring(at);
                assertTrue(part.contains("\"count\": 1,"), "one copy only: " + json);
                assertTrue(part.contains("\"endsWithMessage\": true"), json);
                assertTrue(part.contains("\"head\": \"Return-Path: <joerg@remote.example>\\r\\nDelivered-To: " + user
                    + "@example.org\\r\\nReceived: "), json);
            }
            assertEquals(0, LocalTestSupport.files(localConfig.mailDir().resolve("fred/cur")).size(),
                "deleted after QUIT");
        }
    }

    /** What the delivery agent does for local recipients, reduced to the calls LocalTransport needs. */
    private static void deliverLocally(Spool spool, LocalMail local, SpoolEntry entry) {
        List<Integer> indexes = new ArrayList<>();
        for (int i = 0; i < entry.envelope().recipients().size(); i++) {
            if (local.isLocalDomain(entry.envelope().recipients().get(i).domain())) {
                indexes.add(i);
            }
        }
        try (MessageBody body = spool.openBody(entry.id()).orElseThrow()) {
            for (DeliveryResult r : local.deliver(entry, body, indexes)) {
                spool.recordOutcome(entry.id(), r.recipientIndex(), r.state(), 0, r.reply());
                if (r.state() != RecipientState.DELIVERED) {
                    throw new AssertionError(r.toString());
                }
            }
        }
    }
}
