package io.sluice.gateway.it;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test fixture: a minimal accept-all SMTP server on loopback that records the Message-ID header (and the text) of
 * every message it receives, so a test can check that what the gateway acknowledged arrived. Independent of the
 * gateway's code; it offers DATA only, no CHUNKING.
 */
final class RecordingSink implements AutoCloseable {

    private static final Pattern MESSAGE_ID = Pattern.compile("(?im)^Message-ID:\\s*<([^>]+)>");

    private final ServerSocket server;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<String, String> messagesById = new ConcurrentHashMap<>();
    private final AtomicInteger messages = new AtomicInteger();
    private final AtomicInteger connections = new AtomicInteger();

    RecordingSink() throws IOException {
        server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        threads.submit(this::acceptLoop);
    }

    int port() {
        return server.getLocalPort();
    }

    Set<String> messageIds() {
        return messagesById.keySet();
    }

    /** Each recorded message as it arrived (DATA unstuffed), by Message-ID. */
    Map<String, String> messagesById() {
        return messagesById;
    }

    int messages() {
        return messages.get();
    }

    int connections() {
        return connections.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                connections.incrementAndGet();
                threads.submit(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            write(out, "220 sink ESMTP\r\n");
            String line;
            while ((line = readLine(in)) != null) {
                String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase() : line.toUpperCase();
                switch (verb) {
                    case "EHLO" -> write(out, "250-sink\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SIZE 104857600\r\n");
                    case "HELO" -> write(out, "250 sink\r\n");
                    case "DATA" -> {
                        write(out, "354 go\r\n");
                        String body = readData(in);
                        Matcher m = MESSAGE_ID.matcher(body);
                        if (m.find()) {
                            messagesById.put(m.group(1), body);
                        }
                        messages.incrementAndGet();
                        write(out, "250 2.0.0 ok\r\n");
                    }
                    case "QUIT" -> {
                        write(out, "221 2.0.0 bye\r\n");
                        return;
                    }
                    default -> write(out, "250 2.0.0 ok\r\n");
                }
            }
        } catch (IOException e) {
            // the client went away; nothing to record
        }
    }

    private static String readData(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        String line;
        while ((line = readLine(in)) != null && !line.equals(".")) {
            sb.append(line.startsWith("..") ? line.substring(1) : line).append("\r\n");
        }
        return sb.toString();
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(128);
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                byte[] bytes = b.toByteArray();
                int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, len, StandardCharsets.UTF_8);
            }
            b.write(c);
        }
        return null;
    }

    private static void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        server.close();
        threads.shutdownNow();
    }
}
