package io.sluice.gateway.delivery;

import io.sluice.gateway.config.GatewayConfig.DeliveryConfig;
import io.sluice.gateway.config.GatewayConfig.LocalConfig;
import io.sluice.gateway.config.GatewayConfig.NextHop;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Picks the next hop for a recipient domain, in Postfix's order: local domains, then the relayhost (all
 * non-local mail), then the transport map ({@code delivery.routes}), then MX lookup on the domain itself.
 * Thread-safe; caches one {@link Route} per domain seen, at most {@link #MAX_CACHED_DOMAINS} (then it starts over:
 * recipient domains are chosen by clients, and an unbounded cache would grow with every new one).
 */
final class Router {

    private static final int DEFAULT_SMTP_PORT = 25;
    static final int MAX_CACHED_DOMAINS = 10_000;

    private final LocalConfig local;
    private final NextHop relayhost;
    private final Map<String, NextHop> routes;
    private final Map<String, Route> cache = new ConcurrentHashMap<>();

    Router(DeliveryConfig delivery, LocalConfig local) {
        this.local = local;
        this.relayhost = delivery.relayhost();
        Map<String, NextHop> lower = new ConcurrentHashMap<>();
        delivery.routes().forEach((d, hop) -> lower.put(d.toLowerCase(Locale.ROOT), hop));
        this.routes = lower;
    }

    Route route(String domain) {
        String key = domain.toLowerCase(Locale.ROOT);
        Route r = cache.get(key);
        if (r != null) {
            return r;
        }
        if (cache.size() >= MAX_CACHED_DOMAINS) {
            cache.clear();
        }
        return cache.computeIfAbsent(key, this::decide);
    }

    private Route decide(String domain) {
        if (domain.isEmpty() || local.isLocalDomain(domain)) {
            return Route.LOCAL;
        }
        if (relayhost != null) {
            return of(relayhost);
        }
        NextHop hop = routes.get(domain);
        if (hop != null) {
            return of(hop);
        }
        return new Route(domain, domain, DEFAULT_SMTP_PORT, false, false);
    }

    private static Route of(NextHop hop) {
        return new Route(hop.toString(), hop.host(), hop.port(), hop.skipMx(), false);
    }
}
