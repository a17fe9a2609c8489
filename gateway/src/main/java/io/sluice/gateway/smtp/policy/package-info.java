/**
 * SMTP policy: checks that run after a command parsed and before the session changes state, one per stage as in
 * Postfix's {@code smtpd_check.c}: {@link io.sluice.gateway.smtp.policy.ClientCheck} (connection limits),
 * {@link io.sluice.gateway.smtp.policy.SizeCheck} (MAIL SIZE), {@link io.sluice.gateway.smtp.policy.RcptCheck}
 * (relay and local users), {@link io.sluice.gateway.smtp.policy.SpoolSpaceCheck} (before 354). Each returns a
 * {@link io.sluice.gateway.smtp.policy.Verdict}; none writes to a socket or touches session state.
 */
package io.sluice.gateway.smtp.policy;
