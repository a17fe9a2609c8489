/**
 * The SMTP receiver (RFC 5321 with PIPELINING, SIZE, 8BITMIME, ENHANCEDSTATUSCODES, SMTPUTF8, CHUNKING,
 * BINARYMIME, DSN, STARTTLS and AUTH). {@link io.sluice.gateway.smtp.SmtpServer} accepts connections and runs
 * each on its own virtual thread ({@code SmtpConnection}: read, dispatch, write); {@code SmtpSession} is the
 * state machine and does no I/O; {@code Replies} holds every fixed reply pre-encoded. The only hand-off to the
 * rest of the gateway is the spool: nothing here delivers mail.
 *
 * <p>Strictness choices, each with its reply:
 * <ul>
 *   <li>Bare CR or LF in DATA: the data phase still ends only at CRLF.CRLF (so "LF.LF" smuggles nothing), the
 *       whole message is refused with {@code 550 5.6.0} and the session goes on. In a command line: {@code 500 5.5.2}.</li>
 *   <li>DATA lines over 998 octets (+1 for a stuffed dot): message refused with {@code 500 5.5.6}.</li>
 *   <li>Command lines over 512 octets with CRLF: skipped, {@code 500 5.5.2 Line too long}, session kept.</li>
 *   <li>Plaintext pipelined behind STARTTLS is discarded before the handshake (counted).</li>
 *   <li>BDAT chunks are binary-clean (RFC 3030) and stored RAW; no line checks there.</li>
 * </ul>
 */
package io.sluice.gateway.smtp;
