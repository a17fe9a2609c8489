package io.sluice.gateway.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import io.sluice.gateway.config.GatewayConfig.DeliveryConfig;
import io.sluice.gateway.config.GatewayConfig.LocalConfig;
import io.sluice.gateway.config.GatewayConfig.NextHop;
import io.sluice.gateway.config.GatewayConfig.Pop3Config;
import io.sluice.gateway.config.GatewayConfig.RelayConfig;
import io.sluice.gateway.config.GatewayConfig.SmtpConfig;
import io.sluice.gateway.config.GatewayConfig.SpoolConfig;
import io.sluice.gateway.config.GatewayConfig.TlsConfig;
import io.sluice.gateway.config.GatewayConfig.TlsPolicy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds the {@link GatewayConfig} once, at startup: {@code reference.conf} (every default), then the optional
 * file, then {@code --set key=value} overrides. Every problem becomes a one-line {@link ConfigException} naming
 * the key: unknown keys, wrong types, values out of range, an unreadable file.
 */
public final class ConfigLoader {

    /** Maps whose keys are user-chosen (domains), so unknown-key checks stop at them. */
    private static final List<String> OPEN_MAPS = List.of("delivery.routes");

    private ConfigLoader() {
    }

    /** The embedded defaults only. */
    public static GatewayConfig defaults() {
        return load(null, List.of());
    }

    /**
     * @param file      a HOCON file, or null
     * @param overrides {@code key=value} strings; the value is HOCON ({@code [a, b]} for lists) or plain text
     */
    public static GatewayConfig load(Path file, List<String> overrides) {
        Config reference = ConfigFactory.parseResources(ConfigLoader.class.getClassLoader(), "reference.conf",
            ConfigParseOptions.defaults().setAllowMissing(false));
        Config user = ConfigFactory.empty();
        for (String override : overrides) {
            user = parseOverride(override, reference).withFallback(user);
        }
        if (file != null) {
            user = user.withFallback(parseFile(file));
        }
        checkKnownKeys(user, reference);
        Config c = user.withFallback(reference).resolve();
        try {
            return build(c).validate();
        } catch (com.typesafe.config.ConfigException e) {
            throw new ConfigException(oneLine(e));
        }
    }

    /** The effective configuration as HOCON, for printing at startup (secrets masked). */
    public static String render(GatewayConfig config) {
        return config.toString();
    }

    private static Config parseFile(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException("config file not found: " + file);
        }
        if (!Files.isReadable(file)) {
            throw new ConfigException("config file not readable: " + file);
        }
        try {
            return ConfigFactory.parseFile(file.toFile(),
                ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF).setAllowMissing(false));
        } catch (com.typesafe.config.ConfigException e) {
            throw new ConfigException("config file " + file + ": " + oneLine(e));
        }
    }

    private static Config parseOverride(String override, Config reference) {
        int eq = override.indexOf('=');
        if (eq <= 0) {
            throw new ConfigException("--set expects key=value, got \"" + override + "\"");
        }
        String key = override.substring(0, eq).trim();
        String value = override.substring(eq + 1).trim();
        try {
            // Keys whose default is a list or map take HOCON ([a, b], {k = v}); anything else is a plain string,
            // which the typed getters convert (so "port=abc" fails later with a message naming smtp.port, and
            // "relayhost=[127.0.0.1]:2526" stays a string).
            if (isStructured(key, reference)) {
                return ConfigFactory.parseString(key + " = " + value);
            }
            return ConfigFactory.empty().withValue(key, ConfigValueFactory.fromAnyRef(value, "--set " + key));
        } catch (com.typesafe.config.ConfigException e) {
            throw new ConfigException("--set " + key + ": " + oneLine(e));
        }
    }

    private static boolean isStructured(String key, Config reference) {
        try {
            if (!reference.hasPathOrNull(key)) {
                return false;
            }
            ConfigValueType type = reference.getValue(key).valueType();
            return type == ConfigValueType.LIST || type == ConfigValueType.OBJECT;
        } catch (com.typesafe.config.ConfigException e) {
            return false;
        }
    }

    private static void checkKnownKeys(Config user, Config reference) {
        for (Map.Entry<String, ConfigValue> e : user.entrySet()) {
            String key = e.getKey();
            if (isUnderOpenMap(key)) {
                continue;
            }
            if (!reference.hasPathOrNull(key)) {
                String hint = suggest(key, reference);
                throw new ConfigException("unknown config key \"" + key + "\"" + (hint == null ? "" : " (did you mean \"" + hint + "\"?)")
                    + originOf(e.getValue()));
            }
        }
    }

    private static boolean isUnderOpenMap(String key) {
        for (String prefix : OPEN_MAPS) {
            if (key.startsWith(prefix + ".") || key.startsWith("\"" + prefix)) {
                return true;
            }
        }
        return false;
    }

    private static String suggest(String key, Config reference) {
        String best = null;
        int bestDistance = 4;
        for (Map.Entry<String, ConfigValue> e : reference.entrySet()) {
            int d = editDistance(key, e.getKey());
            if (d < bestDistance) {
                bestDistance = d;
                best = e.getKey();
            }
        }
        return best;
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private static String originOf(ConfigValue v) {
        String d = v.origin().description();
        return d == null || d.isEmpty() ? "" : " in " + d;
    }

    private static String oneLine(com.typesafe.config.ConfigException e) {
        return e.getMessage().replace('\n', ' ');
    }

    private static GatewayConfig build(Config c) {
        String hostname = c.getString("sluice.hostname").trim();
        if (hostname.isEmpty()) {
            throw new ConfigException("sluice.hostname: must not be empty");
        }
        SmtpConfig smtp = new SmtpConfig(
            c.getString("smtp.bind"), c.getInt("smtp.port"), c.getInt("smtp.tls-port"),
            c.getBytes("smtp.max-message-size"), c.getInt("smtp.max-recipients"),
            c.getInt("smtp.max-connections"), c.getInt("smtp.max-connections-per-client"), c.getInt("smtp.max-errors"),
            c.getDuration("smtp.command-timeout"), c.getDuration("smtp.data-block-timeout"),
            c.getDuration("smtp.data-total-timeout"),
            c.getBoolean("smtp.auth-without-tls"), c.getBoolean("smtp.vrfy"), c.getBoolean("smtp.expn"));
        TlsConfig tls = new TlsConfig(c.getString("tls.keystore").trim(), c.getString("tls.keystore-password"));
        if (tls.isConfigured() && !Files.isReadable(Path.of(tls.keystore()))) {
            throw new ConfigException("tls.keystore: file not readable: " + tls.keystore());
        }
        Pop3Config pop3 = new Pop3Config(c.getBoolean("pop3.enabled"), c.getString("pop3.bind"), c.getInt("pop3.port"),
            c.getInt("pop3.tls-port"), c.getBoolean("pop3.plaintext-on-loopback"), c.getDuration("pop3.timeout"),
            c.getDuration("pop3.login-failure-delay"));
        SpoolConfig spool = new SpoolConfig(Path.of(c.getString("spool.dir")),
            SpoolConfig.parseDurability(c.getString("spool.durability")), c.getBytes("spool.min-free"),
            c.getDuration("spool.roll-interval"), c.getDuration("spool.commit-window"));
        List<Cidr> networks = new ArrayList<>();
        for (String n : c.getStringList("relay.networks")) {
            networks.add(Cidr.parse("relay.networks", n));
        }
        RelayConfig relay = new RelayConfig(networks);
        String relayhostText = c.getString("delivery.relayhost").trim();
        NextHop relayhost = relayhostText.isEmpty() ? null : NextHop.parse("delivery.relayhost", relayhostText);
        Map<String, NextHop> routes = new LinkedHashMap<>();
        Config routeConfig = c.getConfig("delivery.routes");
        for (Map.Entry<String, ConfigValue> e : routeConfig.entrySet()) {
            String domain = stripQuotes(e.getKey()).toLowerCase(Locale.ROOT);
            routes.put(domain, NextHop.parse("delivery.routes." + domain, String.valueOf(e.getValue().unwrapped())));
        }
        List<Duration> schedule = c.getDurationList("delivery.retry-schedule");
        TlsPolicy tlsPolicy = switch (c.getString("delivery.tls").trim().toLowerCase(Locale.ROOT)) {
            case "off" -> TlsPolicy.OFF;
            case "opportunistic" -> TlsPolicy.OPPORTUNISTIC;
            case "required" -> TlsPolicy.REQUIRED;
            default -> throw new ConfigException("delivery.tls: must be off, opportunistic or required, not \""
                + c.getString("delivery.tls") + "\"");
        };
        DeliveryConfig delivery = new DeliveryConfig(relayhost, routes, c.getString("delivery.dns-resolver").trim(),
            c.getInt("delivery.connections-per-destination"), c.getInt("delivery.max-connections"),
            c.getInt("delivery.messages-per-connection"), c.getDuration("delivery.connection-idle-time"),
            c.getInt("delivery.recipients-per-transaction"), schedule, c.getDuration("delivery.max-queue-lifetime"),
            tlsPolicy, c.getStringList("delivery.tls-required"), c.getDuration("delivery.connect-timeout"),
            c.getDuration("delivery.greeting-timeout"), c.getDuration("delivery.command-timeout"),
            c.getDuration("delivery.data-block-timeout"), c.getDuration("delivery.data-done-timeout"),
            c.getBoolean("delivery.chunking"), c.getInt("delivery.pipeline-depth"));
        LocalConfig local = new LocalConfig(c.getStringList("local.domains"), Path.of(c.getString("local.mail-dir")),
            Path.of(c.getString("local.users-file")), Path.of(c.getString("local.aliases-file")),
            c.getBytes("local.quota"));
        return new GatewayConfig(hostname, smtp, tls, pop3, spool, relay, delivery, local);
    }

    private static String stripQuotes(String key) {
        return key.length() >= 2 && key.startsWith("\"") && key.endsWith("\"") ? key.substring(1, key.length() - 1) : key;
    }

    /** Renders a Typesafe config subtree (used by tests and --help output). */
    static String renderConfig(Config c) {
        return c.root().render(ConfigRenderOptions.concise().setFormatted(true));
    }
}
