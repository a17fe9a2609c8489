package io.sluice.gateway.pop3;

import org.apache.commons.net.pop3.POP3Client;
import org.apache.commons.net.pop3.POP3MessageInfo;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A MIME multipart message (RFC 2047 Subject, UTF-8 text, base64 image attachment) delivered by LocalTransport
 * and fetched by three independent clients; each must get the message byte-identical apart from the
 * Return-Path and Delivered-To lines local delivery puts on top.
 */
@Timeout(180)
class Pop3InteropTest {

    static final String SUBJECT = "Grüße aus Köln – 日本語 ✓";
    static final String FROM_NAME = "Jörg Müller";
    static final byte[] IMAGE = new byte[3000];

    static {
        new Random(42).nextBytes(IMAGE);
        System.arraycopy(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, 0, IMAGE, 0, 8);
    }

    @TempDir
    Path root;
    Pop3Fixture f;
    byte[] message;

    static byte[] mimeMessage() {
        String b64 = Base64.getMimeEncoder(76, "\r\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(IMAGE);
        String text = "Hallo Fred,\r\n\r\ngrüße aus Köln — 日本語のテキスト.\r\n.a line starting with a dot\r\n..and two\r\n";
        String m = "From: =?UTF-8?B?" + Base64.getEncoder().encodeToString(FROM_NAME.getBytes(StandardCharsets.UTF_8))
            + "?= <joerg@remote.example>\r\n"
            + "To: Fred Smith <fred@example.org>\r\n"
            + "Subject: =?UTF-8?B?" + Base64.getEncoder().encodeToString(SUBJECT.getBytes(StandardCharsets.UTF_8)) + "?=\r\n"
            + "Date: Mon, 23 Nov 2026 19:00:00 +0000\r\n"
            + "Message-ID: <interop-1@remote.example>\r\n"
            + "MIME-Version: 1.0\r\n"
            + "Content-Type: multipart/mixed; boundary=\"sluice-boundary-42\"\r\n"
            + "\r\n"
            + "This is a multi-part message in MIME format.\r\n"
            + "--sluice-boundary-42\r\n"
            + "Content-Type: text/plain; charset=UTF-8\r\n"
            + "Content-Transfer-Encoding: 8bit\r\n"
            + "\r\n"
            + text
            + "--sluice-boundary-42\r\n"
            + "Content-Type: image/png; name=\"pixel.png\"\r\n"
            + "Content-Transfer-Encoding: base64\r\n"
            + "Content-Disposition: attachment; filename=\"pixel.png\"\r\n"
            + "\r\n"
            + b64 + "\r\n"
            + "--sluice-boundary-42--\r\n";
        return m.getBytes(StandardCharsets.UTF_8);
    }

    @BeforeEach
    void deliver() throws Exception {
        f = Pop3Fixture.plain(root);
        message = mimeMessage();
        f.deliver("fred", message);
    }

    @org.junit.jupiter.api.AfterEach
    void stop() {
        f.close();
    }

    /** Strips and checks the two lines local delivery adds. */
    static byte[] withoutDeliveryHeaders(byte[] retrieved) {
        String prefix = "Return-Path: <sender@remote.example>\r\nDelivered-To: fred@example.org\r\n";
        byte[] p = prefix.getBytes(StandardCharsets.US_ASCII);
        assertTrue(retrieved.length >= p.length, "too short: " + retrieved.length);
        assertEquals(prefix, new String(retrieved, 0, p.length, StandardCharsets.US_ASCII));
        return java.util.Arrays.copyOfRange(retrieved, p.length, retrieved.length);
    }

    @Test
    void shouldRetrieveWithPythonPoplibAndParseWithEmail() throws Exception {
        Path script = root.resolve("fetch.py");
        Files.writeString(script, """
            import email, email.policy, hashlib, json, poplib, sys
            port, expected_file = int(sys.argv[1]), sys.argv[2]
            box = poplib.POP3('127.0.0.1', port, timeout=30)
            box.user('fred'); box.pass_('secret')
            count, size = box.stat()
            resp, lines, octets = box.retr(1)
            box.quit()
            raw = b'\\r\\n'.join(lines) + b'\\r\\n'
            prefix = b'Return-Path: <sender@remote.example>\\r\\nDelivered-To: fred@example.org\\r\\n'
            body = raw[len(prefix):] if raw.startswith(prefix) else None
            msg = email.message_from_bytes(raw, policy=email.policy.default)
            text = msg.get_body(preferencelist=('plain',)).get_content()
            att = next(msg.iter_attachments())
            print(json.dumps({
                'count': count, 'size': size, 'octets': octets, 'rawlen': len(raw),
                'identical': body == open(expected_file, 'rb').read(),
                'subject': str(msg['subject']), 'from': str(msg['from']), 'text': text,
                'filename': att.get_filename(), 'sha256': hashlib.sha256(att.get_content()).hexdigest()}))
            """);
        Path expected = root.resolve("expected.eml");
        Files.write(expected, message);
        String json = run(List.of("python3", script.toString(), String.valueOf(f.port()), expected.toString()));
        assertTrue(json.contains("\"identical\": true"), json);
        assertTrue(json.contains("\"count\": 1"), json);
        assertTrue(json.contains("\"subject\": \"" + jsonEscape(SUBJECT) + "\""), json);
        assertTrue(json.contains(jsonEscape(FROM_NAME)), json);
        assertTrue(json.contains(jsonEscape("grüße aus Köln — 日本語のテキスト.")), json);
        assertTrue(json.contains("\\r\\n.a line starting with a dot\\r\\n..and two"), "dots unstuffed by poplib: " + json);
        assertTrue(json.contains("\"filename\": \"pixel.png\""), json);
        assertTrue(json.contains("\"sha256\": \"" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(IMAGE))
            + "\""), json);
    }

    @Test
    void shouldRetrieveWithCurl() throws Exception {
        Path out = root.resolve("curl.eml");
        run(List.of("curl", "-sS", "--max-time", "60", "-o", out.toString(),
            "pop3://fred:secret@127.0.0.1:" + f.port() + "/1"));
        assertArrayEquals(message, withoutDeliveryHeaders(Files.readAllBytes(out)));
    }

    @Test
    void shouldRetrieveWithCommonsNet() throws Exception {
        POP3Client client = new POP3Client();
        client.setDefaultTimeout(30_000);
        client.connect("127.0.0.1", f.port());
        try {
            assertTrue(client.login("fred", "secret"), client.getReplyString());
            POP3MessageInfo status = client.status();
            assertEquals(1, status.number);
            POP3MessageInfo list = client.listMessage(1);
            POP3MessageInfo uid = client.listUniqueIdentifier(1);
            assertTrue(uid.identifier.length() > 0);
            StringWriter text = new StringWriter();
            try (Reader r = client.retrieveMessage(1)) {
                r.transferTo(text);
            }
            byte[] retrieved = text.toString().getBytes(StandardCharsets.ISO_8859_1);
            assertEquals(list.size, retrieved.length, "LIST size is the octet count with CRLF");
            assertArrayEquals(message, withoutDeliveryHeaders(retrieved));
            assertTrue(client.logout());
        } finally {
            client.disconnect();
        }
    }

    static String run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "timed out: " + command);
        String s = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), command + " failed: " + s);
        return s;
    }

    /** Python's json.dumps escapes non-ASCII as \\uXXXX. */
    static String jsonEscape(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c < 0x80) {
                b.append(c);
            } else {
                b.append(String.format("\\u%04x", (int) c));
            }
        }
        return b.toString();
    }
}
