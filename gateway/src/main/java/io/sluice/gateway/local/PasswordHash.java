package io.sluice.gateway.local;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Salted password hashes in the self-describing form {@code pbkdf2-sha256$ITERATIONS$SALT$HASH} (salt and hash in
 * unpadded standard Base64). PBKDF2-HMAC-SHA256 from the JDK; the iteration count is stored with each hash so it
 * can be raised later without invalidating existing users. Plaintext passwords are never stored or logged.
 *
 * <p>Thread-safe, stateless. Each {@link #verify} costs one full key derivation (about 0.2-0.5 s of CPU at the
 * default count on a loaded machine): that is the point, it slows offline guessing after a leak of the users file.
 */
public final class PasswordHash {

    /** OWASP (2023) recommendation for PBKDF2-HMAC-SHA256. */
    public static final int DEFAULT_ITERATIONS = 600_000;

    static final String SCHEME = "pbkdf2-sha256";
    private static final int SALT_BYTES = 16;
    private static final int HASH_BITS = 256;
    private static final int MIN_ITERATIONS = 1_000;
    private static final int MAX_ITERATIONS = 10_000_000;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder ENCODER = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getDecoder();

    /** Verified against when the user does not exist, so an unknown name costs as much time as a wrong password. */
    private static final String DUMMY = create("not-a-password".toCharArray(), DEFAULT_ITERATIONS);

    private PasswordHash() {
    }

    public static String create(char[] password) {
        return create(password, DEFAULT_ITERATIONS);
    }

    /** Lower counts are for tests only (the floor is {@value #MIN_ITERATIONS}). */
    public static String create(char[] password, int iterations) {
        if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
            throw new IllegalArgumentException("iterations out of range: " + iterations);
        }
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        byte[] hash = derive(password, salt, iterations, HASH_BITS);
        return SCHEME + "$" + iterations + "$" + ENCODER.encodeToString(salt) + "$" + ENCODER.encodeToString(hash);
    }

    /** True when {@code encoded} parses as a hash this class can verify. */
    public static boolean isWellFormed(String encoded) {
        return Parsed.of(encoded) != null;
    }

    /** Constant-time comparison of the derived key; a malformed hash never matches. */
    public static boolean verify(char[] password, String encoded) {
        Parsed p = Parsed.of(encoded);
        if (p == null) {
            return false;
        }
        byte[] actual = derive(password, p.salt, p.iterations, p.hash.length * 8);
        return MessageDigest.isEqual(actual, p.hash);
    }

    /** Burns the same time as a real verification; used for unknown users. */
    static void verifyDummy(char[] password) {
        verify(password, DUMMY);
    }

    private static byte[] derive(char[] password, byte[] salt, int iterations, int bits) {
        PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, bits);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is part of every JDK", e);
        } finally {
            spec.clearPassword();
        }
    }

    private record Parsed(int iterations, byte[] salt, byte[] hash) {
        static Parsed of(String encoded) {
            if (encoded == null) {
                return null;
            }
            String[] parts = encoded.split("\\$", -1);
            if (parts.length != 4 || !parts[0].equals(SCHEME)) {
                return null;
            }
            try {
                int iterations = Integer.parseInt(parts[1]);
                byte[] salt = DECODER.decode(parts[2]);
                byte[] hash = DECODER.decode(parts[3]);
                if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS || salt.length < 8 || hash.length < 16) {
                    return null;
                }
                return new Parsed(iterations, salt, hash);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }

    }
}
