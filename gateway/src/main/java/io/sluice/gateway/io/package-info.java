/**
 * Bytes in, bytes out, shared by the SMTP and POP3 receivers: {@link io.sluice.gateway.io.LineReader} (CRLF lines
 * in place in one fixed buffer), {@link io.sluice.gateway.io.ReplyWriter} (replies into one fixed output buffer)
 * and {@link io.sluice.gateway.io.Ascii} (verb folding, number parsing, printable log text). Nothing here knows a
 * protocol; nothing here allocates per line.
 */
package io.sluice.gateway.io;
