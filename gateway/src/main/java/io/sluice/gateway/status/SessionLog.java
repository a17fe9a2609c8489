package io.sluice.gateway.status;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per session that ended abnormally, Postfix style ("lost connection after DATA (N bytes) from ..."),
 * prefixed by the session id. Sessions that end with QUIT, or after a completed message, are not logged. Client
 * text must already be printable and truncated ({@link io.sluice.gateway.io.Ascii#printable}). Never AUTH
 * arguments, never bodies.
 */
public final class SessionLog {

    private static final Logger LOG = LoggerFactory.getLogger(SessionLog.class);

    private SessionLog() {
    }

    /**
     * @param dataBytes bytes received in the DATA/BDAT phase when it stopped there, else -1
     */
    public static void abnormalEnd(String sessionId, String client, String lastCommand, String reason, long dataBytes) {
        if (!LOG.isInfoEnabled()) {
            return;
        }
        if (dataBytes >= 0) {
            LOG.info("{} {} after {} ({} bytes) from {}", sessionId, reason, lastCommand, dataBytes, client);
        } else {
            LOG.info("{} {} after {} from {}", sessionId, reason, lastCommand, client);
        }
    }

    /** A real bug: logged once with its stack; the session ends with 421 4.3.0 and the server keeps running. */
    public static void internalError(String sessionId, String client, String lastCommand, Throwable error) {
        LOG.error("{} internal error after {} from {}", sessionId, lastCommand, client, error);
    }
}
