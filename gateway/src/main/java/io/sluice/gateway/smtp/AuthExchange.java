package io.sluice.gateway.smtp;

import io.sluice.gateway.local.LocalDirectory;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;

/**
 * One SASL exchange (RFC 4954) for PLAIN (RFC 4616) and LOGIN, with or without an initial response; "*" cancels.
 * Decoded credentials live in arrays that are wiped after the check; nothing here is ever logged. Owned by the
 * session's thread; a new one per AUTH command.
 */
final class AuthExchange {

    private enum Step { PLAIN_RESPONSE, LOGIN_USER, LOGIN_PASSWORD, DONE }

    private final LocalDirectory directory;
    private Step step;
    private String loginUser;
    /** The identity on success. */
    String user;

    private AuthExchange(LocalDirectory directory, Step step) {
        this.directory = directory;
        this.step = step;
    }

    boolean isDone() {
        return step == Step.DONE;
    }

    /**
     * Starts an exchange for "AUTH mechanism [initial-response]"; returns null with {@code out[0]} set to the reply
     * when the exchange is over at once.
     */
    static AuthExchange start(LocalDirectory directory, String args, Reply[] out) {
        int sp = args.indexOf(' ');
        String mechanism = (sp < 0 ? args : args.substring(0, sp)).toUpperCase(Locale.ROOT);
        String initial = sp < 0 ? null : args.substring(sp + 1).trim();
        AuthExchange x;
        switch (mechanism) {
            case "PLAIN" -> x = new AuthExchange(directory, Step.PLAIN_RESPONSE);
            case "LOGIN" -> x = new AuthExchange(directory, Step.LOGIN_USER);
            default -> {
                out[0] = Replies.AUTH_MECHANISM_504;
                return null;
            }
        }
        if (initial == null) {
            out[0] = x.step == Step.PLAIN_RESPONSE ? Replies.AUTH_CONTINUE_334 : Replies.AUTH_USERNAME_334;
            return x;
        }
        // RFC 4954 4: "=" is an empty initial response.
        out[0] = x.onResponse(initial.equals("=") ? "" : initial);
        return x;
    }

    /** The client's reply to a 334 challenge. */
    Reply onResponse(String line) {
        if (line.equals("*")) {
            step = Step.DONE;
            return Replies.AUTH_CANCELLED_501;
        }
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(line);
        } catch (IllegalArgumentException e) {
            step = Step.DONE;
            return Replies.AUTH_BAD_BASE64_501;
        }
        try {
            return switch (step) {
                case PLAIN_RESPONSE -> plain(decoded);
                case LOGIN_USER -> {
                    loginUser = new String(decoded, StandardCharsets.UTF_8);
                    step = Step.LOGIN_PASSWORD;
                    yield Replies.AUTH_PASSWORD_334;
                }
                case LOGIN_PASSWORD -> check(loginUser, decoded, 0, decoded.length);
                case DONE -> throw new IllegalStateException("exchange already finished");
            };
        } finally {
            Arrays.fill(decoded, (byte) 0);
        }
    }

    /** RFC 4616: authzid NUL authcid NUL passwd; we do not act for others, so authzid must be empty or authcid. */
    private Reply plain(byte[] b) {
        int nul1 = indexOf(b, 0);
        int nul2 = nul1 < 0 ? -1 : indexOf(b, nul1 + 1);
        if (nul2 < 0) {
            step = Step.DONE;
            return Replies.AUTH_FAILED_535;
        }
        String authzid = new String(b, 0, nul1, StandardCharsets.UTF_8);
        String authcid = new String(b, nul1 + 1, nul2 - nul1 - 1, StandardCharsets.UTF_8);
        if (!authzid.isEmpty() && !authzid.equals(authcid)) {
            step = Step.DONE;
            return Replies.AUTH_FAILED_535;
        }
        return check(authcid, b, nul2 + 1, b.length - nul2 - 1);
    }

    private Reply check(String name, byte[] b, int off, int len) {
        step = Step.DONE;
        CharBuffer chars = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(b, off, len));
        char[] password = new char[chars.remaining()];
        chars.get(password);
        Arrays.fill(chars.array(), '\0');
        try {
            if (!name.isEmpty() && directory.authenticate(name, password)) {
                user = name;
                return Replies.AUTH_OK_235;
            }
            return Replies.AUTH_FAILED_535;
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    private static int indexOf(byte[] b, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == 0) {
                return i;
            }
        }
        return -1;
    }
}
