/**
 * The SMTP receiver (RFC 5321 with PIPELINING, SIZE, 8BITMIME, ENHANCEDSTATUSCODES, SMTPUTF8, CHUNKING,
 * BINARYMIME, DSN, STARTTLS and AUTH). {@link io.sluice.gateway.smtp.SmtpServer} accepts connections and runs
 * each on its own virtual thread ({@code SmtpConnection}: read, dispatch, write); {@code SmtpSession} is the
 * state machine and does no I/O; {@code Replies} holds every fixed reply pre-encoded. The only hand-off to the
 * rest of the gateway is the spool: nothing here delivers mail.
 */
package io.sluice.gateway.smtp;
