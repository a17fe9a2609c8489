package io.sluice.gateway.smtp;

import io.sluice.gateway.config.GatewayConfig;
import io.sluice.gateway.local.LocalDirectory;
import io.sluice.gateway.smtp.policy.RcptCheck;
import io.sluice.gateway.smtp.policy.SizeCheck;
import io.sluice.gateway.smtp.policy.SpoolSpaceCheck;
import io.sluice.spool.Spool;

/**
 * What every session of one server shares: config, collaborators, policy checks and the replies that depend on
 * config (banner, HELO, the four EHLO variants), encoded once per server. Immutable; shared by all session threads.
 */
final class SmtpSettings {

    final String hostname;
    final GatewayConfig.SmtpConfig smtp;
    final boolean tlsConfigured;
    final GatewayConfig.RelayConfig relay;
    final LocalDirectory directory;
    final Spool spool;
    final SizeCheck sizeCheck;
    final RcptCheck rcptCheck;
    final SpoolSpaceCheck spoolSpaceCheck;
    final Reply banner;
    final Reply helo;
    private final Reply[] ehlo = new Reply[4];

    SmtpSettings(String hostname, GatewayConfig.SmtpConfig smtp, boolean tlsConfigured, GatewayConfig.RelayConfig relay,
                 LocalDirectory directory, Spool spool) {
        this.hostname = hostname;
        this.smtp = smtp;
        this.tlsConfigured = tlsConfigured;
        this.relay = relay;
        this.directory = directory;
        this.spool = spool;
        this.sizeCheck = new SizeCheck(smtp.maxMessageBytes());
        this.rcptCheck = new RcptCheck(directory, hostname);
        this.spoolSpaceCheck = new SpoolSpaceCheck(spool);
        this.banner = Replies.banner(hostname);
        this.helo = Replies.helo(hostname);
        for (int i = 0; i < 4; i++) {
            ehlo[i] = Replies.ehlo(hostname, smtp.maxMessageBytes(), (i & 1) != 0, (i & 2) != 0);
        }
    }

    Reply ehlo(boolean offerStartTls, boolean offerAuth) {
        return ehlo[(offerStartTls ? 1 : 0) | (offerAuth ? 2 : 0)];
    }
}
