package io.sluice.gateway;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;

/**
 * TLS material for tests, one place for SMTP, POP3 and delivery tests: self-signed keystores made with the JDK's
 * keytool at test time, and a client context that trusts them.
 */
public final class TestTls {

    /** Store and key password of every test keystore. */
    public static final String PASSWORD = "changeit";

    private TestTls() {
    }

    /**
     * Creates {@code dir/<hostName>.p12}: a PKCS#12 keystore holding a self-signed EC key for {@code hostName}
     * (CN and DNS SAN) and 127.0.0.1 (IP SAN), valid two days.
     */
    public static Path selfSignedKeystore(Path dir, String hostName) throws IOException, InterruptedException {
        Path ks = dir.resolve(hostName + ".p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "server", "-keyalg", "EC",
            "-groupname", "secp256r1", "-dname", "CN=" + hostName, "-validity", "2", "-storetype", "PKCS12",
            "-keystore", ks.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD,
            "-ext", "SAN=dns:" + hostName + ",ip:127.0.0.1")
            .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool failed: " + out);
        }
        return ks;
    }

    /** A client context that accepts any server certificate (the test certificates are self-signed). */
    public static SSLContext trustAllContext() throws GeneralSecurityException {
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
        return ctx;
    }
}
