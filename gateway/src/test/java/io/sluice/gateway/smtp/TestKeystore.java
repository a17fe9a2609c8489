package io.sluice.gateway.smtp;

import io.sluice.gateway.TestTls;

import javax.net.ssl.SSLSocketFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;

/** The SMTP tests' keystore (self-signed, CN=mx.test), made once per test JVM by {@link TestTls}. */
final class TestKeystore {

    static final String PASSWORD = TestTls.PASSWORD;
    private static Path cached;

    private TestKeystore() {
    }

    static synchronized Path get() throws IOException, InterruptedException {
        if (cached == null) {
            Path dir = Files.createTempDirectory("sluice-tls");
            dir.toFile().deleteOnExit(); // registered first, deleted last: after the keystore in it
            cached = TestTls.selfSignedKeystore(dir, "mx.test");
            cached.toFile().deleteOnExit();
        }
        return cached;
    }

    /** A client socket factory that trusts anything (the test certificate is self-signed). */
    static SSLSocketFactory trustingClientFactory() throws GeneralSecurityException {
        return TestTls.trustAllContext().getSocketFactory();
    }
}
