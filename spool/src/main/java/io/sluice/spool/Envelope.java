package io.sluice.spool;

import java.util.List;

/**
 * Everything known about a message except its body, fixed when the message is begun.
 *
 * @param sender         the reverse-path without angle brackets; the empty string is the null sender {@code <>}
 * @param recipients     final recipients, at least one, at most 65,535
 * @param client         where it came from
 * @param arrivalEpochMs wall-clock arrival time
 * @param bodyType       MAIL BODY= parameter: {@code 7BIT}, {@code 8BITMIME} or {@code BINARYMIME}
 * @param smtpUtf8       MAIL SMTPUTF8 was given (RFC 6531)
 * @param dsnRet         MAIL RET= parameter, {@code FULL} or {@code HDRS}, or {@code null}
 * @param dsnEnvId       MAIL ENVID= parameter (xtext-decoded), or {@code null}
 */
public record Envelope(
    String sender,
    List<Recipient> recipients,
    ClientInfo client,
    long arrivalEpochMs,
    String bodyType,
    boolean smtpUtf8,
    String dsnRet,
    String dsnEnvId) {

    public static final int MAX_RECIPIENTS = 65_535;

    public Envelope {
        if (sender == null) {
            throw new IllegalArgumentException("sender is null; use \"\" for the null sender");
        }
        recipients = List.copyOf(recipients);
        if (recipients.isEmpty() || recipients.size() > MAX_RECIPIENTS) {
            throw new IllegalArgumentException("recipient count out of range: " + recipients.size());
        }
        if (client == null) {
            throw new IllegalArgumentException("client is null");
        }
        if (bodyType == null) {
            bodyType = "7BIT";
        }
    }

    public boolean isNullSender() {
        return sender.isEmpty();
    }
}
