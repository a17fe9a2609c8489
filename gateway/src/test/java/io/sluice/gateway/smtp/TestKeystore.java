package io.sluice.gateway.smtp;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;

/** A PKCS#12 keystore generated at test time with the JDK's keytool (self-signed, CN=mx.test). */
final class TestKeystore {

    static final String PASSWORD = "changeit";
    private static Path cached;

    private TestKeystore() {
    }

    static synchronized Path get() throws IOException, InterruptedException {
        if (cached != null) {
            return cached;
        }
        Path dir = Files.createTempDirectory("sluice-tls");
        Path ks = dir.resolve("server.p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "smtp", "-keyalg", "EC",
            "-groupname", "secp256r1", "-dname", "CN=mx.test", "-validity", "2", "-storetype", "PKCS12",
            "-keystore", ks.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD, "-ext", "SAN=dns:mx.test,ip:127.0.0.1")
            .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool failed: " + out);
        }
        cached = ks;
        return ks;
    }

    /** A client socket factory that trusts anything (the test certificate is self-signed). */
    static SSLSocketFactory trustingClientFactory() throws GeneralSecurityException {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        return ctx.getSocketFactory();
    }
}
