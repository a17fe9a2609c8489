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

    /** Distinct failure sites already logged with their stack (Agrona DistinctErrorLog idea); bounded. */
    private static final java.util.Set<String> SEEN_STACKS = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private static final int MAX_DISTINCT = 1000;

    /**
     * A real bug: the first occurrence of each distinct failure site is logged with its stack, later ones as one
     * line (a bug hit by every session must not flood the log). The session ends with 421 4.3.0; the server runs on.
     */
    public static void internalError(String sessionId, String client, String lastCommand, Throwable error) {
        StackTraceElement[] st = error.getStackTrace();
        String site = error.getClass().getName() + (st.length > 0 ? "@" + st[0] : "");
        if (SEEN_STACKS.size() < MAX_DISTINCT && SEEN_STACKS.add(site)) {
            LOG.error("{} internal error after {} from {}", sessionId, lastCommand, client, error);
        } else {
            LOG.error("{} internal error after {} from {}: {} (stack logged before)", sessionId, lastCommand, client, error.toString());
        }
    }
}
