package io.sluice.gateway.pop3;

import io.sluice.gateway.config.ConfigException;
import io.sluice.gateway.config.GatewayConfig.TlsConfig;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.net.Socket;

/**
 * The server-side TLS context for STLS and the implicit-TLS port, built once from {@code tls.keystore}
 * (PKCS#12). Thread-safe after construction.
 */
final class Pop3Tls {

    private final SSLContext context;

    private Pop3Tls(SSLContext context) {
        this.context = context;
    }

    /** Null when TLS is not configured. */
    static Pop3Tls of(TlsConfig tls) {
        if (!tls.isConfigured()) {
            return null;
        }
        try {
            return new Pop3Tls(tls.loadServerContext());
        } catch (IOException e) {
            throw new ConfigException("tls.keystore: cannot load " + tls.keystore() + ": " + e.getMessage());
        }
    }

    /** Wraps an accepted plain socket as the server side of a TLS connection and completes the handshake. */
    SSLSocket wrap(Socket plain) throws IOException {
        SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(plain, plain.getInetAddress().getHostAddress(),
            plain.getPort(), true);
        s.setUseClientMode(false);
        s.startHandshake();
        return s;
    }
}
