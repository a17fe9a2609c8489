package io.sluice.gateway.smtp.policy;

import io.sluice.gateway.smtp.Reply;

/**
 * A policy decision (after James's {@code HookReturnCode}: an action plus what to tell the client). Immutable.
 *
 * @param reply null for {@link Action#ACCEPT}; otherwise the reply the client gets
 */
public record Verdict(Action action, Reply reply) {

    public enum Action { ACCEPT, REJECT, TEMPFAIL, DISCONNECT }

    public static final Verdict ACCEPT = new Verdict(Action.ACCEPT, null);

    public static Verdict reject(Reply reply) {
        return new Verdict(Action.REJECT, reply);
    }

    public static Verdict tempfail(Reply reply) {
        return new Verdict(Action.TEMPFAIL, reply);
    }

    public static Verdict disconnect(Reply reply) {
        return new Verdict(Action.DISCONNECT, reply);
    }

    public boolean isAccepted() {
        return action == Action.ACCEPT;
    }
}
