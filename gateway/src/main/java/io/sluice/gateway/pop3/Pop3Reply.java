package io.sluice.gateway.pop3;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * One POP3 response as data: its status line (and, for LIST/UIDL/CAPA, the whole multi-line body) pre-encoded in
 * {@code wire}, plus what the connection must do around it.
 *
 * @param wire             bytes to write, CRLF-terminated (a multi-line answer includes its {@code .} line)
 * @param closesConnection close after writing
 * @param isLoginFailure   wait {@code pop3.login-failure-delay} before writing (slows password guessing)
 * @param startsTls        begin the TLS handshake right after writing (STLS)
 * @param message          a message file to stream after {@code wire}, byte-stuffed and ended with {@code .}; or null
 * @param topBodyLines     for TOP: body lines to send after the header; -1 for the whole message (RETR)
 */
record Pop3Reply(byte[] wire, boolean closesConnection, boolean isLoginFailure, boolean startsTls, Path message,
                 long topBodyLines) {

    static Pop3Reply ok(String text) {
        return of("+OK " + text);
    }

    static Pop3Reply err(String text) {
        return of("-ERR " + text);
    }

    static Pop3Reply of(String line) {
        return new Pop3Reply((line + "\r\n").getBytes(StandardCharsets.UTF_8), false, false, false, null, -1);
    }

    /** A multi-line answer: the status line, the lines (none may start with '.'), then the terminating dot. */
    static Pop3Reply multiLine(String status, CharSequence linesCrlf) {
        return new Pop3Reply(("+OK " + status + "\r\n" + linesCrlf + ".\r\n").getBytes(StandardCharsets.UTF_8),
            false, false, false, null, -1);
    }

    static Pop3Reply streaming(String status, Path message, long topBodyLines) {
        return new Pop3Reply(("+OK " + status + "\r\n").getBytes(StandardCharsets.UTF_8), false, false, false,
            message, topBodyLines);
    }

    Pop3Reply closing() {
        return new Pop3Reply(wire, true, isLoginFailure, startsTls, message, topBodyLines);
    }

    Pop3Reply afterDelay() {
        return new Pop3Reply(wire, closesConnection, true, startsTls, message, topBodyLines);
    }

    Pop3Reply thenTls() {
        return new Pop3Reply(wire, closesConnection, isLoginFailure, true, message, topBodyLines);
    }

    boolean isOk() {
        return wire[0] == '+';
    }

    String statusLine() {
        int end = 0;
        while (end < wire.length && wire[end] != '\r') {
            end++;
        }
        return new String(wire, 0, end, StandardCharsets.UTF_8);
    }
}
