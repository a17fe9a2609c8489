package io.sluice.gateway.delivery;

import io.sluice.spool.Envelope;
import io.sluice.spool.MessageId;
import io.sluice.spool.Recipient;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes an RFC 3464 delivery status notification: {@code multipart/report; report-type=delivery-status} with a
 * human-readable part, a {@code message/delivery-status} part (per-message fields, then one block per recipient)
 * and the original message ({@code message/rfc822}) or only its headers ({@code text/rfc822-headers}).
 * The output is the message itself (CRLF lines, not dot-stuffed): it is spooled as {@code BodyForm.RAW}.
 * Streams the original; never holds it in memory. Thread-safe (stateless apart from a boundary counter).
 */
final class DsnBuilder {

    /** Without RET, return the full message only up to this size, else headers only (Postfix returns headers
     * of large bounces too, to spare the sender's mailbox). */
    static final long FULL_RETURN_LIMIT_BYTES = 256 * 1024;

    /** RFC 3464 2.3.3 Action values. */
    enum Action {
        FAILED("failed"), DELAYED("delayed"), DELIVERED("delivered"), RELAYED("relayed"), EXPANDED("expanded");

        final String field;

        Action(String field) {
            this.field = field;
        }
    }

    /** One recipient's block. {@code remoteMta} may be null (local diagnostics); {@code reply} is an SMTP reply. */
    record Report(Recipient recipient, Action action, String reply, String remoteMta) {
    }

    private static final DateTimeFormatter RFC5322_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);
    private static final AtomicLong SEQUENCE = new AtomicLong();

    private final String reportingMta;

    DsnBuilder(String reportingMta) {
        this.reportingMta = reportingMta;
    }

    /**
     * @param original the original message (unstuffed), or null when it cannot be read any more
     * @param originalBytes its size, to choose FULL or HDRS without RET
     */
    void write(OutputStream out, MessageId id, Envelope env, List<Report> reports, InputStream original,
               long originalBytes, long nowEpochMs) throws IOException {
        boolean isFailure = reports.stream().anyMatch(r -> r.action() == Action.FAILED);
        boolean isDelay = !isFailure && reports.stream().anyMatch(r -> r.action() == Action.DELAYED);
        String boundary = "=_sluice_" + id + "_" + Long.toHexString(nowEpochMs) + "_" + SEQUENCE.incrementAndGet();
        String subject = isFailure ? "Undelivered Mail Returned to Sender"
            : isDelay ? "Delayed Mail (still being retried)" : "Successful Mail Delivery Report";
        boolean isFull = original != null && ("FULL".equalsIgnoreCase(env.dsnRet())
            || (env.dsnRet() == null && originalBytes <= FULL_RETURN_LIMIT_BYTES));
        boolean is8Bit = !"7BIT".equalsIgnoreCase(env.bodyType()) || env.smtpUtf8();

        StringBuilder h = new StringBuilder(1024);
        line(h, "From: Mail Delivery System <MAILER-DAEMON@" + reportingMta + ">");
        line(h, "To: <" + env.sender() + ">");
        line(h, "Subject: " + subject);
        line(h, "Date: " + RFC5322_DATE.format(Instant.ofEpochMilli(nowEpochMs)));
        line(h, "Message-ID: <" + id + "." + Long.toHexString(nowEpochMs) + "." + SEQUENCE.get() + "@"
            + reportingMta + ">");
        line(h, "Auto-Submitted: auto-replied");
        line(h, "MIME-Version: 1.0");
        line(h, "Content-Type: multipart/report; report-type=delivery-status;");
        line(h, "\tboundary=\"" + boundary + "\"");
        line(h, "");
        line(h, "This is a MIME-encapsulated message.");
        line(h, "");
        line(h, "--" + boundary);
        line(h, "Content-Description: Notification");
        line(h, "Content-Type: text/plain; charset=utf-8");
        line(h, "Content-Transfer-Encoding: 8bit");
        line(h, "");
        line(h, "This is the mail system at host " + reportingMta + ".");
        line(h, "");
        if (isFailure) {
            line(h, "I'm sorry to have to inform you that your message could not");
            line(h, "be delivered to one or more recipients. It's attached below.");
        } else if (isDelay) {
            line(h, "Your message could not be delivered yet to one or more recipients.");
            line(h, "It will be retried; you do not need to resend it.");
        } else {
            line(h, "Your message was successfully delivered to the destination(s)");
            line(h, "listed below.");
        }
        line(h, "");
        for (Report r : reports) {
            line(h, "<" + r.recipient().address() + ">: " + (r.remoteMta() == null ? "" : "host " + r.remoteMta()
                + " said: ") + r.reply());
        }
        line(h, "");
        line(h, "--" + boundary);
        line(h, "Content-Description: Delivery report");
        line(h, "Content-Type: message/delivery-status");
        line(h, "");
        line(h, "Reporting-MTA: dns; " + reportingMta);
        line(h, "X-Sluice-Queue-ID: " + id);
        if (env.dsnEnvId() != null) {
            line(h, "Original-Envelope-Id: " + env.dsnEnvId());
        }
        line(h, "Arrival-Date: " + RFC5322_DATE.format(Instant.ofEpochMilli(env.arrivalEpochMs())));
        for (Report r : reports) {
            line(h, "");
            Recipient rcpt = r.recipient();
            if (rcpt.orcpt() != null) {
                line(h, "Original-Recipient: " + (rcpt.orcpt().indexOf(';') > 0 ? rcpt.orcpt()
                    : "rfc822;" + rcpt.orcpt()));
            }
            line(h, "Final-Recipient: rfc822; " + rcpt.address());
            line(h, "Action: " + r.action().field);
            line(h, "Status: " + statusOf(r));
            if (r.remoteMta() != null) {
                line(h, "Remote-MTA: dns; " + r.remoteMta());
            }
            line(h, "Diagnostic-Code: smtp; " + r.reply());
        }
        line(h, "");
        line(h, "--" + boundary);
        if (original == null) {
            line(h, "Content-Description: Undelivered Message (no longer available)");
            line(h, "Content-Type: text/plain; charset=us-ascii");
            line(h, "");
            line(h, "The original message is no longer in the queue.");
            out.write(h.toString().getBytes(StandardCharsets.UTF_8));
        } else if (isFull) {
            line(h, "Content-Description: " + (isFailure ? "Undelivered Message" : "Message"));
            line(h, "Content-Type: message/rfc822");
            line(h, "Content-Transfer-Encoding: " + (is8Bit ? "8bit" : "7bit"));
            line(h, "");
            out.write(h.toString().getBytes(StandardCharsets.UTF_8));
            copyEnsuringCrlf(original, out, false);
        } else {
            line(h, "Content-Description: " + (isFailure ? "Undelivered Message Headers" : "Message Headers"));
            line(h, "Content-Type: text/rfc822-headers");
            line(h, "Content-Transfer-Encoding: " + (is8Bit ? "8bit" : "7bit"));
            line(h, "");
            out.write(h.toString().getBytes(StandardCharsets.UTF_8));
            copyEnsuringCrlf(original, out, true);
        }
        out.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * The Status field: the reply's enhanced code (RFC 3463) when it has one, else derived from the reply
     * code's class (2.0.0, 4.0.0, 5.0.0); an expired recipient is 4.4.7 ("delivery time expired").
     */
    static String statusOf(Report r) {
        String reply = r.reply();
        if (reply.length() >= 9 && reply.charAt(3) == ' ') {
            int end = reply.indexOf(' ', 4);
            String candidate = end < 0 ? reply.substring(4) : reply.substring(4, end);
            if (candidate.matches("[245]\\.\\d{1,3}\\.\\d{1,3}")) {
                return candidate;
            }
        }
        char cls = reply.isEmpty() ? '5' : reply.charAt(0);
        return (cls == '2' || cls == '4' ? cls : '5') + ".0.0";
    }

    /**
     * Copies the message, or for headers only its header section up to and including the empty line that ends
     * it, then makes sure the copy ends with CRLF (so the closing boundary starts a line).
     */
    private static void copyEnsuringCrlf(InputStream in, OutputStream out, boolean isHeadersOnly) throws IOException {
        byte[] buf = new byte[16 * 1024];
        // As if a CRLF preceded the message: a message that starts with CRLF has an empty header section.
        int b1 = '\n';
        int b2 = '\r';
        int b3 = 0;
        int n;
        while ((n = in.read(buf)) > 0) {
            for (int i = 0; i < n; i++) {
                int b = buf[i];
                if (isHeadersOnly && b == '\n' && b1 == '\r' && b2 == '\n' && b3 == '\r') {
                    out.write(buf, 0, i + 1);
                    return;
                }
                b3 = b2;
                b2 = b1;
                b1 = b;
            }
            out.write(buf, 0, n);
        }
        if (!(b1 == '\n' && b2 == '\r')) {
            out.write(new byte[] {'\r', '\n'});
        }
    }

    private static void line(StringBuilder sb, String text) {
        sb.append(text).append("\r\n");
    }
}
