package io.sluice.gateway.smtp;

import io.sluice.spool.Recipient;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;

/**
 * One mail transaction: from MAIL to the end of DATA (or BDAT LAST), RSET, or a new EHLO. Those replace the
 * object; its fields are never cleared one by one. Owned by the session's thread.
 */
final class Transaction {

    final String sender;
    final MailParameters params;
    /** Final recipients, keyed by lower-cased address: an alias and a direct RCPT to the same user count once. */
    private final LinkedHashMap<String, Recipient> recipients = new LinkedHashMap<>();
    /** RCPT commands accepted (what smtp.max-recipients limits; expansion may add more final recipients). */
    int rcptAccepted;
    boolean bdatStarted;
    /** The last RCPT address as given, for the Received header's "for" clause. */
    String lastGivenRecipient;

    Transaction(String sender, MailParameters params) {
        this.sender = sender;
        this.params = params;
    }

    void addRecipient(String address, String orcpt, int notifyFlags) {
        recipients.putIfAbsent(address.toLowerCase(Locale.ROOT), new Recipient(address, orcpt, notifyFlags));
    }

    boolean hasRecipients() {
        return !recipients.isEmpty();
    }

    List<Recipient> recipients() {
        return new ArrayList<>(recipients.values());
    }

    int recipientCount() {
        return recipients.size();
    }
}
