package io.sluice.load.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(10)
class LoopbackTest {

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1:2525", "127.1.2.3:25", "127.255.255.254:1", "localhost:2525", "[::1]:2525",
            "LOCALHOST:25"})
    void shouldAcceptLoopbackTargets(String target) {
        InetSocketAddress a = Loopback.parse(target, "--target", false);
        assertTrue(a.getAddress().isLoopbackAddress(), target);
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.1:25", "0.0.0.0:25", "192.168.1.1:25", "8.8.8.8:25", "128.0.0.1:25",
            "example.com:25", "mail.localhost:25", "127.0.0.1.nip.io:25", "[::]:25", "[2001:db8::1]:25",
            "[::ffff:10.0.0.1]:25", "169.254.0.1:25", "127.1:25", "0x7f000001:25"})
    void shouldRefuseAnythingOffThisMachine(String target) {
        UsageException e = assertThrows(UsageException.class, () -> Loopback.parse(target, "--target", false));
        assertTrue(e.getMessage().contains("loopback") || e.getMessage().contains("address"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:x", "::1:25", "[::1]25", ":25"})
    void shouldRefuseMalformedTargets(String target) {
        assertThrows(UsageException.class, () -> Loopback.parse(target, "--target", false));
    }

    @org.junit.jupiter.api.Test
    void shouldAllowPortZeroOnlyForListeners() {
        assertEquals(0, Loopback.parse("127.0.0.1:0", "--listen", true).getPort());
        assertThrows(UsageException.class, () -> Loopback.parse("127.0.0.1:0", "--target", false));
    }
}
