package io.sluice.load.generator;

import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A TLS context that accepts any server certificate. Only for load tests against this machine's own test servers
 * with self-signed certificates ({@link io.sluice.load.cli.Loopback} keeps the generator on loopback): it proves
 * nothing about the peer and must never be used for real delivery.
 */
final class TrustAll {

    private TrustAll() {
    }

    static SSLContext context() {
        X509TrustManager trustAll = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
                // test peers only
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
                // test peers only: self-signed certificates are the norm here
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {trustAll}, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no TLS in this JDK", e);
        }
    }
}
