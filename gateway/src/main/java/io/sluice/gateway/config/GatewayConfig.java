package io.sluice.gateway.config;

import io.sluice.spool.Durability;
import io.sluice.spool.SpoolOptions;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The whole configuration, one record per concern. Each option's meaning, unit and default are documented once,
 * in {@code reference.conf} beside this class (the key is the record path in kebab case, e.g.
 * {@code smtp.max-message-size}). Compact constructors check ranges; {@link #validate()} checks relationships.
 * Components receive only the sub-record they need.
 */
public record GatewayConfig(String hostname, SmtpConfig smtp, TlsConfig tls, Pop3Config pop3, SpoolConfig spool,
                            RelayConfig relay, DeliveryConfig delivery, LocalConfig local) {

    /** Cross-field checks, run by {@link ConfigLoader} before any port is bound. */
    public GatewayConfig validate() {
        if (!tls.isConfigured()) {
            if (smtp.tlsPort() != 0) {
                throw new ConfigException("smtp.tls-port: implicit TLS needs tls.keystore to be set");
            }
            if (pop3.tlsPort() != 0) {
                throw new ConfigException("pop3.tls-port: implicit TLS needs tls.keystore to be set");
            }
        }
        if (pop3.enabled() && pop3.port() == smtp.port() && pop3.bind().equals(smtp.bind())) {
            throw new ConfigException("pop3.port: the same as smtp.port (" + smtp.port() + ")");
        }
        for (Cidr c : relay.networks()) {
            if (c.isEverything()) {
                throw new ConfigException("relay.networks: " + c + " would make Sluice an open relay");
            }
        }
        if (local.domains().isEmpty()) {
            throw new ConfigException("local.domains: at least one local domain is needed (for postmaster and bounces)");
        }
        return this;
    }

    static void checkPort(String key, int port, boolean zeroAllowed) {
        if (port < (zeroAllowed ? 0 : 1) || port > 65535) {
            throw new ConfigException(key + ": port must be " + (zeroAllowed ? "0" : "1") + "..65535, not " + port);
        }
    }

    static void checkPositive(String key, long value) {
        if (value <= 0) {
            throw new ConfigException(key + ": must be greater than 0, not " + value);
        }
    }

    static void checkPositive(String key, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new ConfigException(key + ": must be longer than 0, not " + value);
        }
    }

    /** {@code smtp.*} */
    public record SmtpConfig(String bind, int port, int tlsPort, long maxMessageBytes, int maxRecipients,
                             int maxConnections, int maxConnectionsPerClient, int maxErrors,
                             Duration commandTimeout, Duration dataBlockTimeout, Duration dataTotalTimeout,
                             boolean authWithoutTls, boolean vrfy, boolean expn) {
        public SmtpConfig {
            checkPort("smtp.port", port, true);
            checkPort("smtp.tls-port", tlsPort, true);
            checkPositive("smtp.max-message-size", maxMessageBytes);
            checkPositive("smtp.max-recipients", maxRecipients);
            if (maxRecipients > io.sluice.spool.Envelope.MAX_RECIPIENTS) {
                throw new ConfigException("smtp.max-recipients: at most " + io.sluice.spool.Envelope.MAX_RECIPIENTS);
            }
            checkPositive("smtp.max-connections", maxConnections);
            checkPositive("smtp.max-connections-per-client", maxConnectionsPerClient);
            checkPositive("smtp.max-errors", maxErrors);
            checkPositive("smtp.command-timeout", commandTimeout);
            checkPositive("smtp.data-block-timeout", dataBlockTimeout);
            checkPositive("smtp.data-total-timeout", dataTotalTimeout);
        }
    }

    /** {@code tls.*} */
    public record TlsConfig(String keystore, String keystorePassword) {
        public boolean isConfigured() {
            return !keystore.isEmpty();
        }

        /**
         * The server-side TLS context from the PKCS#12 keystore, shared by SMTP (STARTTLS, implicit TLS) and POP3
         * (STLS, implicit TLS). Reads the file on every call: call once at listener start.
         */
        public javax.net.ssl.SSLContext loadServerContext() throws java.io.IOException {
            char[] password = keystorePassword.toCharArray();
            try (java.io.InputStream in = java.nio.file.Files.newInputStream(Path.of(keystore))) {
                java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
                ks.load(in, password);
                javax.net.ssl.KeyManagerFactory kmf =
                    javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, password);
                javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
                ctx.init(kmf.getKeyManagers(), null, null);
                return ctx;
            } catch (java.security.GeneralSecurityException e) {
                throw new java.io.IOException("tls.keystore " + keystore + ": " + e.getMessage(), e);
            }
        }

        @Override
        public String toString() {
            return "TlsConfig[keystore=" + keystore + ", keystorePassword=" + (keystorePassword.isEmpty() ? "" : "***") + "]";
        }
    }

    /** {@code pop3.*} */
    public record Pop3Config(boolean enabled, String bind, int port, int tlsPort, boolean plaintextOnLoopback,
                             Duration timeout, Duration loginFailureDelay) {
        public Pop3Config {
            checkPort("pop3.port", port, true);
            checkPort("pop3.tls-port", tlsPort, true);
            checkPositive("pop3.timeout", timeout);
            if (loginFailureDelay.isNegative()) {
                throw new ConfigException("pop3.login-failure-delay: must not be negative");
            }
        }
    }

    /** {@code spool.*} */
    public record SpoolConfig(Path dir, Durability durability, long minFreeBytes, Duration rollInterval,
                              Duration commitWindow) {
        public SpoolConfig {
            checkPositive("spool.roll-interval", rollInterval);
            if (rollInterval.compareTo(Duration.ofMinutes(1)) < 0) {
                throw new ConfigException("spool.roll-interval: at least 1m, not " + rollInterval);
            }
            try {
                SpoolOptions.checkCommitWindow(commitWindow);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("spool.commit-window: " + e.getMessage());
            }
        }

        public SpoolOptions toOptions(long maxMessageBytes) {
            return new SpoolOptions(dir, durability, maxMessageBytes, minFreeBytes, rollInterval, commitWindow);
        }

        static Durability parseDurability(String text) {
            return switch (text.trim().toLowerCase(Locale.ROOT)) {
                case "fsync" -> Durability.FSYNC;
                case "os" -> Durability.OS;
                default -> throw new ConfigException("spool.durability: must be fsync or os, not \"" + text + "\"");
            };
        }
    }

    /** {@code relay.*} */
    public record RelayConfig(List<Cidr> networks) {
        public RelayConfig {
            networks = List.copyOf(networks);
        }

        public boolean isAllowed(java.net.InetAddress client) {
            for (Cidr c : networks) {
                if (c.contains(client)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** Outbound STARTTLS policy. */
    public enum TlsPolicy { OFF, OPPORTUNISTIC, REQUIRED }

    /** {@code delivery.*} */
    public record DeliveryConfig(NextHop relayhost, Map<String, NextHop> routes, String dnsResolver,
                                 int connectionsPerDestination, int maxConnections, int messagesPerConnection,
                                 Duration connectionIdleTime, int recipientsPerTransaction,
                                 List<Duration> retrySchedule, Duration maxQueueLifetime, TlsPolicy tls,
                                 List<String> tlsRequired, Duration connectTimeout, Duration greetingTimeout,
                                 Duration commandTimeout, Duration dataBlockTimeout, Duration dataDoneTimeout,
                                 boolean chunking, int pipelineDepth) {
        /** Most messages in flight on one connection: a worker takes at most 8 jobs at a time. */
        public static final int MAX_PIPELINE_DEPTH = 8;

        public DeliveryConfig {
            routes = Map.copyOf(routes);
            retrySchedule = List.copyOf(retrySchedule);
            tlsRequired = List.copyOf(tlsRequired);
            checkPositive("delivery.connections-per-destination", connectionsPerDestination);
            checkPositive("delivery.max-connections", maxConnections);
            checkPositive("delivery.messages-per-connection", messagesPerConnection);
            checkPositive("delivery.recipients-per-transaction", recipientsPerTransaction);
            checkPositive("delivery.connection-idle-time", connectionIdleTime);
            if (retrySchedule.isEmpty()) {
                throw new ConfigException("delivery.retry-schedule: needs at least one delay");
            }
            for (Duration d : retrySchedule) {
                checkPositive("delivery.retry-schedule", d);
            }
            checkPositive("delivery.max-queue-lifetime", maxQueueLifetime);
            checkPositive("delivery.connect-timeout", connectTimeout);
            checkPositive("delivery.greeting-timeout", greetingTimeout);
            checkPositive("delivery.command-timeout", commandTimeout);
            checkPositive("delivery.data-block-timeout", dataBlockTimeout);
            checkPositive("delivery.data-done-timeout", dataDoneTimeout);
            if (pipelineDepth < 1 || pipelineDepth > MAX_PIPELINE_DEPTH) {
                throw new ConfigException("delivery.pipeline-depth: must be 1 to " + MAX_PIPELINE_DEPTH + ", not "
                    + pipelineDepth);
            }
            if (connectionsPerDestination > maxConnections) {
                throw new ConfigException("delivery.connections-per-destination: larger than delivery.max-connections");
            }
        }
    }

    /**
     * A next hop as written in config: {@code [host]:port} (brackets: use the host's address records, no MX
     * lookup) or {@code host:port} / {@code host} (MX lookup on host). Port defaults to 25.
     */
    public record NextHop(String host, int port, boolean skipMx) {
        public static NextHop parse(String key, String text) {
            String s = text.trim();
            boolean bracketed = s.startsWith("[");
            String host;
            String rest;
            if (bracketed) {
                int close = s.indexOf(']');
                if (close < 0) {
                    throw new ConfigException(key + ": missing ']' in \"" + text + "\"");
                }
                host = s.substring(1, close);
                rest = s.substring(close + 1);
            } else {
                int colon = s.lastIndexOf(':');
                host = colon < 0 ? s : s.substring(0, colon);
                rest = colon < 0 ? "" : s.substring(colon);
            }
            if (host.isEmpty()) {
                throw new ConfigException(key + ": no host in \"" + text + "\" (e.g. [127.0.0.1]:2526)");
            }
            int port = 25;
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new ConfigException(key + ": expected :port after the host in \"" + text + "\"");
                }
                try {
                    port = Integer.parseInt(rest.substring(1));
                } catch (NumberFormatException e) {
                    throw new ConfigException(key + ": port is not a number in \"" + text + "\"");
                }
                checkPort(key, port, false);
            }
            return new NextHop(host, port, bracketed);
        }

        @Override
        public String toString() {
            return (skipMx ? "[" + host + "]" : host) + ":" + port;
        }
    }

    /** {@code local.*} */
    public record LocalConfig(List<String> domains, Path mailDir, Path usersFile, Path aliasesFile, long quotaBytes) {
        public LocalConfig {
            domains = domains.stream().map(d -> d.trim().toLowerCase(Locale.ROOT)).toList();
        }

        public boolean isLocalDomain(String domain) {
            return domains.contains(domain.toLowerCase(Locale.ROOT));
        }
    }
}
