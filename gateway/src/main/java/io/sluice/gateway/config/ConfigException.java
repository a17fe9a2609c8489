package io.sluice.gateway.config;

/**
 * A configuration problem a person must fix: the message is one line naming the key and what is wrong. The CLI
 * prints it without a stack trace and exits 2.
 */
public final class ConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message, null, false, false);
    }
}
