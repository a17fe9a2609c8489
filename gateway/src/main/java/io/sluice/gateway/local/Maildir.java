package io.sluice.gateway.local;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One user's Maildir ({@code local.mail-dir/<user>/{tmp,new,cur}}, Bernstein's layout). Delivery writes a file in
 * {@code tmp/}, fsyncs it, renames it into {@code new/} and fsyncs {@code new/}, so a message is either complete
 * in {@code new/} or absent, whatever crashes when; only after that does the transport report DELIVERED. Unique
 * names are {@code SECONDS.M<micros>Q<seq>P<pid>.<host>,S=<size>}: the per-process sequence makes names from
 * concurrent deliveries distinct without any lock, and the size lets POP3 and quota checks skip a stat.
 *
 * <p>Messages are stored with CRLF line ends exactly as received over SMTP (unstuffed), so the file size is the
 * POP3 octet count (RFC 1939 sizes count CRLF) and RETR streams the file unchanged apart from byte-stuffing.
 * Most Maildir readers accept CRLF files.
 *
 * <p>Thread-safe: every method works on the file system only; concurrent deliveries and one POP3 session may
 * use the same Maildir at once.
 */
public final class Maildir {

    /** One message as POP3 sees it: {@code uid} is stable for the message's life (RFC 1939 UIDL). */
    public record Message(Path file, String uid, long sizeBytes) {
    }

    private static final AtomicLong SEQUENCE = new AtomicLong();
    private static final long PID = ProcessHandle.current().pid();
    private static final int MAX_UID_CHARS = 70;

    private final Path dir;
    private final String host;

    Maildir(Path dir, String host) {
        this.dir = dir;
        this.host = host.replace("/", "\\057").replace(":", "\\072");
    }

    public Path dir() {
        return dir;
    }

    /**
     * Writes {@code prefix} then {@code body} as one new message and returns its size in bytes. On failure the
     * temporary file is removed and nothing appears in {@code new/}.
     */
    long deliver(byte[] prefix, InputStream body) throws IOException {
        Path tmpDir = dir.resolve("tmp");
        Path newDir = dir.resolve("new");
        Files.createDirectories(tmpDir);
        Files.createDirectories(newDir);
        Files.createDirectories(dir.resolve("cur"));
        long nowMicros = currentMicros();
        String unique = (nowMicros / 1_000_000) + ".M" + (nowMicros % 1_000_000) + "Q" + SEQUENCE.incrementAndGet()
            + "P" + PID + "." + host;
        Path tmp = tmpDir.resolve(unique);
        long size = 0;
        boolean done = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(prefix));
                size = prefix.length;
                byte[] buf = new byte[64 * 1024];
                for (int n; (n = body.read(buf)) > 0; ) {
                    ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                    while (bb.hasRemaining()) {
                        ch.write(bb);
                    }
                    size += n;
                }
                ch.force(true);
            }
            Path target = newDir.resolve(unique + ",S=" + size);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("Maildir needs atomic rename within " + dir, e);
            }
            forceDirectory(newDir);
            done = true;
            return size;
        } finally {
            if (!done) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** Bytes used by messages in {@code new/} and {@code cur/} (from the S= in names where present). */
    long usageBytes() throws IOException {
        long total = 0;
        for (String sub : new String[] {"new", "cur"}) {
            for (Message m : list(dir.resolve(sub))) {
                total += m.sizeBytes();
            }
        }
        return total;
    }

    /**
     * For a POP3 session: moves everything in {@code new/} to {@code cur/} (marking it seen by a client, Maildir
     * info {@code :2,}) and returns the messages of {@code cur/} oldest first. A message that another process
     * moves or deletes meanwhile is simply skipped.
     */
    public List<Message> claim() throws IOException {
        Path newDir = dir.resolve("new");
        Path curDir = dir.resolve("cur");
        Files.createDirectories(curDir);
        boolean moved = false;
        for (Message m : list(newDir)) {
            try {
                Files.move(m.file(), curDir.resolve(m.file().getFileName() + ":2,"), StandardCopyOption.ATOMIC_MOVE);
                moved = true;
            } catch (NoSuchFileException e) {
                // taken by someone else meanwhile: not ours to list
            }
        }
        if (moved) {
            forceDirectory(curDir);
            forceDirectory(newDir);
        }
        List<Message> messages = list(curDir);
        // Arrival order: seconds, then microseconds compared as numbers ("M99999" precedes "M100000", which a
        // string comparison would reverse), then the name as a tie-break.
        messages.sort(Comparator.comparingLong((Message m) -> secondsOf(m.uid()))
            .thenComparingLong(m -> microsOf(m.uid())).thenComparing(Message::uid));
        return messages;
    }

    /** Deletes one message file; false when it was already gone. */
    public boolean delete(Path file) throws IOException {
        return Files.deleteIfExists(file);
    }

    /** Makes a rename or create in {@code dir} durable (POSIX: fsync the directory). */
    static void forceDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            if (!System.getProperty("os.name", "").startsWith("Windows")) {
                throw e;
            }
        }
    }

    private static List<Message> list(Path sub) throws IOException {
        List<Message> out = new ArrayList<>();
        if (!Files.isDirectory(sub)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(sub)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (name.startsWith(".")) {
                    continue;
                }
                int colon = name.indexOf(':');
                String base = colon < 0 ? name : name.substring(0, colon);
                long size = sizeFromName(base);
                if (size < 0) {
                    try {
                        size = Files.size(p);
                    } catch (NoSuchFileException e) {
                        continue;
                    }
                }
                out.add(new Message(p, uidOf(base), size));
            }
        }
        return out;
    }

    private static long sizeFromName(String base) {
        int s = base.lastIndexOf(",S=");
        if (s < 0) {
            return -1;
        }
        long v = 0;
        int end = s + 3;
        for (; end < base.length() && Character.isDigit(base.charAt(end)); end++) {
            v = v * 10 + (base.charAt(end) - '0');
        }
        return end == s + 3 ? -1 : v;
    }

    private static long secondsOf(String uid) {
        long v = 0;
        for (int i = 0; i < uid.length() && i < 18 && Character.isDigit(uid.charAt(i)); i++) {
            v = v * 10 + (uid.charAt(i) - '0');
        }
        return v;
    }

    /** The number after ".M" in our own names; 0 for names other programs chose. */
    private static long microsOf(String uid) {
        int m = uid.indexOf(".M");
        long v = 0;
        for (int i = m + 2; m >= 0 && i < uid.length() && i < m + 12 && Character.isDigit(uid.charAt(i)); i++) {
            v = v * 10 + (uid.charAt(i) - '0');
        }
        return v;
    }

    /** RFC 1939 7: a UID is 1-70 characters in 0x21-0x7E; longer or odd names are replaced by a stable digest. */
    private static String uidOf(String base) {
        boolean ok = !base.isEmpty() && base.length() <= MAX_UID_CHARS;
        for (int i = 0; ok && i < base.length(); i++) {
            char c = base.charAt(i);
            ok = c >= 0x21 && c <= 0x7e;
        }
        if (ok) {
            return base;
        }
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(base.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 20);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long currentMicros() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
    }
}
