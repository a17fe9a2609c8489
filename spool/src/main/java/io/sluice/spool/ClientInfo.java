package io.sluice.spool;

/**
 * Who handed us the message, kept for trace headers, bounces and the queue CLI.
 *
 * @param address   the client's IP address as text ({@code 127.0.0.1}, {@code ::1})
 * @param helo      the HELO/EHLO argument as given (made printable by the receiver)
 * @param protocol  RFC 3848 "with" keyword: SMTP, ESMTP, ESMTPS, ESMTPA, ESMTPSA, or LOCAL for internally
 *                  generated mail such as bounces
 * @param authUser  the authenticated identity, or {@code null}
 */
public record ClientInfo(String address, String helo, String protocol, String authUser) {

    /** For messages Sluice generates itself (DSNs). */
    public static final ClientInfo LOCAL = new ClientInfo("127.0.0.1", "localhost", "LOCAL", null);
}
