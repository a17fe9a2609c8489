package io.sluice.gateway.smtp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** A scripted SMTP client on a real socket: send a line, expect a line (as SubEthaSMTP's command tests do). */
final class ScriptedClient implements AutoCloseable {

    final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    ScriptedClient(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(20_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    /** Connects and checks the banner. */
    static ScriptedClient connect(int port) throws IOException {
        ScriptedClient c = new ScriptedClient(port);
        c.expect("220 ");
        return c;
    }

    ScriptedClient send(String line) throws IOException {
        return sendRaw(line + "\r\n");
    }

    ScriptedClient sendRaw(String bytes) throws IOException {
        out.write(bytes.getBytes(StandardCharsets.UTF_8));
        out.flush();
        return this;
    }

    /** Reads one line (without CRLF); null at end of stream. */
    String readLine() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                byte[] bytes = b.toByteArray();
                int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, len, StandardCharsets.UTF_8);
            }
            b.write(c);
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.UTF_8);
    }

    /** Reads a whole (possibly multi-line) reply. */
    List<String> readReply() throws IOException {
        List<String> lines = new ArrayList<>();
        String l;
        do {
            l = readLine();
            if (l == null) {
                break;
            }
            lines.add(l);
        } while (l.length() > 3 && l.charAt(3) == '-');
        return lines;
    }

    /** Reads one reply and checks that its last line starts with {@code prefix}; returns that line. */
    String expect(String prefix) throws IOException {
        List<String> reply = readReply();
        String last = reply.isEmpty() ? null : reply.get(reply.size() - 1);
        assertTrue(last != null && last.startsWith(prefix), "expected \"" + prefix + "\", Reply=" + reply);
        return last;
    }

    ScriptedClient ehlo() throws IOException {
        send("EHLO client.test");
        expect("250 ");
        return this;
    }

    /** True when the server closed the connection (read returns end of stream). */
    boolean isClosedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (java.net.SocketException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
