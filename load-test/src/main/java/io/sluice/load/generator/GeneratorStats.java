package io.sluice.load.generator;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

import io.sluice.load.report.LatencyLog;

/**
 * Outcome counters of a generator run, updated lock-free by every session. A message is either {@code ok} (250
 * after the final dot) or {@code failed}; why it failed is in the reply-code table or the connection counters.
 * A run has two: one for measured messages, which also counts connections ({@code connects}, {@code
 * openSessions}) over the whole run, and one for warm-up messages, whose connection fields stay unused.
 */
final class GeneratorStats {

    final LongAdder ok = new LongAdder();
    final LongAdder failed = new LongAdder();
    final LongAdder connects = new LongAdder();
    final LongAdder connectFailures = new LongAdder();
    /** The server closed or reset the connection, or a reply did not arrive within the timeout. */
    final LongAdder disconnects = new LongAdder();
    final LongAdder timeouts = new LongAdder();
    /** Replies that were not 3 digits, or too long. */
    final LongAdder malformed = new LongAdder();
    /** Unexpected replies (4xx/5xx to MAIL, RCPT, DATA, the final dot; non-2xx banner/EHLO), by code. */
    final AtomicLongArray replyCodes = new AtomicLongArray(600);
    final AtomicInteger openSessions = new AtomicInteger();
    final LatencyLog.Series accept;
    final LatencyLog.Series service;

    GeneratorStats(LatencyLog log) {
        this.accept = log.series("accept");
        this.service = log.series("service");
    }

    void unexpectedReply(int code) {
        if (code <= 0 || code >= 600) {
            malformed.increment();
        } else {
            replyCodes.incrementAndGet(code);
        }
    }

    long errors() {
        long n = 0;
        for (int i = 0; i < 600; i++) {
            n += replyCodes.get(i);
        }
        return n + malformed.sum() + disconnects.sum() + connectFailures.sum();
    }

    /** {@code 421=3 450=12}, or "none". */
    String replyCodeSummary() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 600; i++) {
            long n = replyCodes.get(i);
            if (n > 0) {
                sb.append(sb.isEmpty() ? "" : " ").append(i).append('=').append(n);
            }
        }
        return sb.isEmpty() ? "none" : sb.toString();
    }
}
