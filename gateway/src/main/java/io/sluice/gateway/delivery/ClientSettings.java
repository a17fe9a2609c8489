package io.sluice.gateway.delivery;

import io.sluice.gateway.config.GatewayConfig.DeliveryConfig;
import io.sluice.gateway.config.GatewayConfig.TlsPolicy;

import javax.net.ssl.SSLContext;

/**
 * Everything an outbound session needs besides its target, fixed at agent start.
 *
 * @param heloName             our name in EHLO/HELO
 * @param connectTimeoutMs     TCP connect
 * @param greetingTimeoutMs    RFC 5321 4.5.3.2.1, initial 220 (5 min)
 * @param commandTimeoutMs     MAIL, RCPT (4.5.3.2.2/3, 5 min), DATA initiation (2 min), EHLO, RSET, QUIT
 * @param dataBlockTimeoutMs   4.5.3.2.5, each body write (3 min)
 * @param dataDoneTimeoutMs    4.5.3.2.6, the reply to the final dot or BDAT LAST (10 min)
 * @param tlsPolicy            default STARTTLS policy
 * @param opportunisticTls     context used when TLS is merely opportunistic: encrypts, does not authenticate
 *                             (RFC 7435: an unverified channel is still better than plaintext)
 * @param verifiedTls          context used where TLS is required: the JDK's trust store, plus host name
 *                             verification against the MX (or relay) host name
 * @param verifyRequiredTls    false only in tests (self-signed loopback servers)
 * @param chunking             send bodies with BDAT (RFC 3030) to peers that offer CHUNKING; when false only
 *                             BINARYMIME bodies, which need it, go that way
 * @param pipelineDepth        most messages in flight on one connection with BDAT (1: one at a time)
 */
record ClientSettings(String heloName, int connectTimeoutMs, int greetingTimeoutMs, int commandTimeoutMs,
                      int dataBlockTimeoutMs, int dataDoneTimeoutMs, TlsPolicy tlsPolicy,
                      SSLContext opportunisticTls, SSLContext verifiedTls, boolean verifyRequiredTls,
                      boolean chunking, int pipelineDepth) {

    static ClientSettings from(String heloName, DeliveryConfig d, SSLContext opportunisticTls, SSLContext verifiedTls,
                               boolean verifyRequiredTls) {
        return new ClientSettings(heloName, ms(d.connectTimeout()), ms(d.greetingTimeout()), ms(d.commandTimeout()),
            ms(d.dataBlockTimeout()), ms(d.dataDoneTimeout()), d.tls(), opportunisticTls, verifiedTls,
            verifyRequiredTls, d.chunking(), d.pipelineDepth());
    }

    private static int ms(java.time.Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, d.toMillis());
    }
}
