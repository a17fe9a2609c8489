package io.sluice.gateway.delivery;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A scriptable SMTP server on 127.0.0.1, port 0, for delivery tests: answers per recipient, can refuse EHLO, leave
 * out PIPELINING, announce SIZE/CHUNKING/SMTPUTF8, drop the connection at DATA, stall before the final reply.
 * Records every read() (to prove pipelined commands arrive in one read), every command, every connection and every
 * message. One platform thread per connection; everything it records is thread-safe.
 */
final class ScriptedSmtpServer implements AutoCloseable {

    record Received(String mailFrom, String mailLine, List<String> rcpts, String data, boolean isTls) {
    }

    private final ServerSocket server;
    private final Thread acceptor;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    final AtomicInteger connections = new AtomicInteger();
    final AtomicInteger quits = new AtomicInteger();
    final List<String> reads = new CopyOnWriteArrayList<>();
    final List<String> commands = new CopyOnWriteArrayList<>();
    final List<Received> messages = new CopyOnWriteArrayList<>();

    volatile boolean pipelining = true;
    volatile List<String> extensions = List.of("8BITMIME", "ENHANCEDSTATUSCODES");
    volatile boolean refuseEhlo;
    volatile Function<String, String> rcptReply = a -> "250 2.1.5 Ok";
    volatile String mailReply = "250 2.1.0 Ok";
    volatile Function<Received, String> dataReply = m -> "250 2.0.0 Ok: queued";
    volatile boolean dropAtData;
    /** When positive: the connection that receives the server's Nth BDAT command (counting all) is dropped there. */
    volatile int dropAtBdat;
    private final java.util.concurrent.atomic.AtomicInteger bdats = new java.util.concurrent.atomic.AtomicInteger();
    volatile long stallBeforeFinalReplyMs;
    /** When set, STARTTLS is offered (before TLS) and served with this context. */
    volatile javax.net.ssl.SSLContext tlsContext;

    ScriptedSmtpServer() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::acceptLoop, "scripted-smtp-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                connections.incrementAndGet();
                sockets.add(s);
                Thread t = new Thread(() -> serve(s), "scripted-smtp-" + connections.get());
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            Session session = new Session(s, s.getInputStream(), s.getOutputStream());
            session.reply("220 scripted.test ESMTP");
            byte[] buf = new byte[64 * 1024];
            int n;
            while (!session.isDone && (n = session.in.read(buf)) > 0) {
                String chunk = new String(buf, 0, n, StandardCharsets.ISO_8859_1);
                reads.add(chunk);
                session.pending.append(chunk);
                session.process();
            }
        } catch (IOException e) {
            // client went away or we dropped it
        }
    }

    private final class Session {
        Socket socket;
        InputStream in;
        OutputStream out;
        boolean isTls;
        final StringBuilder pending = new StringBuilder();
        String mailFrom;
        String mailLine;
        List<String> rcpts = new ArrayList<>();
        StringBuilder data;
        long bdatRemaining = -1;
        boolean isLastChunk;
        boolean isDone;

        Session(Socket socket, InputStream in, OutputStream out) {
            this.socket = socket;
            this.in = in;
            this.out = out;
        }

        void startTls() throws IOException {
            javax.net.ssl.SSLSocket ssl = (javax.net.ssl.SSLSocket) tlsContext.getSocketFactory()
                .createSocket(socket, socket.getInetAddress().getHostAddress(), socket.getPort(), true);
            ssl.setUseClientMode(false);
            ssl.startHandshake();
            socket = ssl;
            in = ssl.getInputStream();
            out = ssl.getOutputStream();
            isTls = true;
            mailFrom = null;
            rcpts = new ArrayList<>();
        }

        void reply(String text) throws IOException {
            out.write((text + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        void process() throws IOException {
            while (!isDone) {
                if (bdatRemaining >= 0) {
                    int take = (int) Math.min(pending.length(), bdatRemaining);
                    data.append(pending, 0, take);
                    pending.delete(0, take);
                    bdatRemaining -= take;
                    if (bdatRemaining > 0) {
                        return;
                    }
                    bdatRemaining = -1;
                    endChunk();
                    continue;
                }
                int eol = pending.indexOf("\r\n");
                if (eol < 0) {
                    return;
                }
                String line = pending.substring(0, eol);
                pending.delete(0, eol + 2);
                if (data != null) {
                    if (line.equals(".")) {
                        finishMessage();
                    } else {
                        data.append(line.startsWith(".") ? line.substring(1) : line).append("\r\n");
                    }
                    continue;
                }
                command(line);
            }
        }

        /** RFC 3030: a refused chunk is read and dropped all the same. */
        void endChunk() throws IOException {
            if (mailFrom == null) {
                data = null;
                reply("503 5.5.1 Error: need MAIL command");
            } else if (rcpts.isEmpty()) {
                data = null;
                reply("554 5.5.1 Error: no valid recipients");
            } else if (isLastChunk) {
                finishMessage();
            } else {
                reply("250 2.0.0 Ok: chunk received");
            }
        }

        void finishMessage() throws IOException {
            Received r = new Received(mailFrom, mailLine, List.copyOf(rcpts), data.toString(), isTls);
            messages.add(r);
            data = null;
            mailFrom = null;
            rcpts = new ArrayList<>();
            if (stallBeforeFinalReplyMs > 0) {
                try {
                    Thread.sleep(stallBeforeFinalReplyMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            reply(dataReply.apply(r));
        }

        void command(String line) throws IOException {
            commands.add(line);
            String upper = line.toUpperCase(java.util.Locale.ROOT);
            if (upper.startsWith("EHLO")) {
                if (refuseEhlo) {
                    reply("502 5.5.1 EHLO not implemented");
                    return;
                }
                List<String> ext = new ArrayList<>(extensions);
                if (pipelining) {
                    ext.add(0, "PIPELINING");
                }
                if (tlsContext != null && !isTls) {
                    ext.add("STARTTLS");
                }
                StringBuilder sb = new StringBuilder("250-scripted.test");
                for (int i = 0; i < ext.size(); i++) {
                    sb.append("\r\n250").append(i == ext.size() - 1 ? ' ' : '-').append(ext.get(i));
                }
                if (ext.isEmpty()) {
                    sb.setCharAt(3, ' ');
                }
                reply(sb.toString());
            } else if (upper.startsWith("HELO")) {
                reply("250 scripted.test");
            } else if (upper.startsWith("MAIL FROM:")) {
                if (mailFrom != null) {
                    reply("503 5.5.1 Error: nested MAIL command"); // as Postfix: a refused chunk keeps MAIL
                    return;
                }
                mailLine = line;
                String r = mailReply;
                if (r.startsWith("2")) {
                    mailFrom = line.substring(line.indexOf('<') + 1, line.indexOf('>'));
                }
                reply(r);
            } else if (upper.startsWith("RCPT TO:")) {
                String a = line.substring(line.indexOf('<') + 1, line.indexOf('>'));
                String r = mailFrom == null ? "503 5.5.1 Error: need MAIL command" : rcptReply.apply(a);
                if (r.startsWith("2")) {
                    rcpts.add(a);
                }
                reply(r);
            } else if (upper.equals("DATA")) {
                if (dropAtData) {
                    socket.close();
                    isDone = true;
                    return;
                }
                if (mailFrom == null || rcpts.isEmpty()) {
                    reply("554 5.5.1 Error: no valid recipients");
                    return;
                }
                data = new StringBuilder();
                reply("354 End data with <CR><LF>.<CR><LF>");
            } else if (upper.startsWith("BDAT ")) {
                if (bdats.incrementAndGet() == dropAtBdat) {
                    socket.close();
                    isDone = true;
                    return;
                }
                String[] parts = line.split(" ");
                if (data == null) {
                    data = new StringBuilder();
                }
                bdatRemaining = Long.parseLong(parts[1]);
                isLastChunk = parts.length > 2 && parts[2].equalsIgnoreCase("LAST");
            } else if (upper.equals("STARTTLS") && tlsContext != null && !isTls) {
                reply("220 2.0.0 Ready to start TLS");
                startTls();
            } else if (upper.equals("RSET")) {
                mailFrom = null;
                rcpts = new ArrayList<>();
                reply("250 2.0.0 Ok");
            } else if (upper.equals("QUIT")) {
                quits.incrementAndGet();
                reply("221 2.0.0 Bye");
                isDone = true;
            } else if (upper.equals("NOOP")) {
                reply("250 2.0.0 Ok");
            } else {
                reply("502 5.5.2 Error: command not recognized");
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
