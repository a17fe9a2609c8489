package io.sluice.gateway.pop3;

import io.sluice.gateway.TestTls;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A scripted POP3 client: send a line, expect a line. Raw bytes, so tests see exactly what the server wrote. */
final class Pop3TestClient implements AutoCloseable {

    private Socket socket;
    private InputStream in;
    private OutputStream out;

    Pop3TestClient(int port) throws IOException {
        this(new Socket("127.0.0.1", port));
    }

    Pop3TestClient(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(30_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    static Pop3TestClient implicitTls(int port) throws Exception {
        SSLSocket s = (SSLSocket) trustAll().getSocketFactory().createSocket("127.0.0.1", port);
        s.startHandshake();
        return new Pop3TestClient(s);
    }

    void startTls() throws Exception {
        SSLSocket s = (SSLSocket) trustAll().getSocketFactory().createSocket(socket, "127.0.0.1", socket.getPort(), true);
        s.setUseClientMode(true);
        s.startHandshake();
        socket = s;
        in = s.getInputStream();
        out = s.getOutputStream();
    }

    static SSLContext trustAll() throws Exception {
        return TestTls.trustAllContext();
    }

    void sendRaw(String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    String send(String line) throws IOException {
        sendRaw(line + "\r\n");
        return readLine();
    }

    /** One line without CRLF; null at end of stream. */
    String readLine() throws IOException {
        byte[] b = readLineBytes();
        return b == null ? null : new String(b, 0, b.length - 2, StandardCharsets.UTF_8);
    }

    /** One line with its CRLF; null at end of stream. */
    byte[] readLineBytes() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int prev = -1;
        while (true) {
            int c = in.read();
            if (c < 0) {
                return line.size() == 0 ? null : line.toByteArray();
            }
            line.write(c);
            if (c == '\n' && prev == '\r') {
                return line.toByteArray();
            }
            prev = c;
        }
    }

    /** The raw body of a multi-line response up to (not including) the ".CRLF" line, still byte-stuffed. */
    byte[] readMultiLineRaw() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            byte[] line = readLineBytes();
            if (line == null) {
                throw new IOException("EOF inside a multi-line response");
            }
            if (line.length == 3 && line[0] == '.') {
                return body.toByteArray();
            }
            body.write(line);
        }
    }

    String readMultiLine() throws IOException {
        return new String(readMultiLineRaw(), StandardCharsets.UTF_8);
    }

    /** True when the server closed the connection (EOF within the socket timeout). */
    boolean isClosedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (IOException e) {
            return true;
        }
    }

    String login(String user, String password) throws IOException {
        String r = send("USER " + user);
        if (!r.startsWith("+OK")) {
            return r;
        }
        return send("PASS " + password);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
