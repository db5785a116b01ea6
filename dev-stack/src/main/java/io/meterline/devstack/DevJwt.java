package io.meterline.devstack;

import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * A freshly generated RS256 key pair and the issuer/audience Meterline's services verify, for tests and the
 * local stack. Production keys never come from here: they come from the environment.
 */
public final class DevJwt {

    public static final String ISSUER = "https://meterline.local/dev-issuer";
    public static final String AUDIENCE = "meterline";
    /** Claim listing the subjects a token may write or read; absent = every subject. */
    public static final String CUSTOMERS_CLAIM = "customers";

    private final KeyPair keyPair;

    private DevJwt(KeyPair keyPair) {
        this.keyPair = keyPair;
    }

    public static DevJwt generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return new DevJwt(generator.generateKeyPair());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public PrivateKey privateKey() {
        return keyPair.getPrivate();
    }

    /** The public key as PEM, for {@code mp.jwt.verify.publickey}. */
    public String publicKeyPem() {
        return "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(keyPair.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
    }

    /** A token for {@code principal} with {@code roles}, optionally scoped to {@code customers}. */
    public String token(String principal, Set<String> roles, Collection<String> customers, Duration ttl) {
        return claims(principal, roles, customers, ttl).sign(keyPair.getPrivate());
    }

    /** A token with every role and no customer scope, valid for a day: for local producers and operators. */
    public String operatorToken() {
        return token("local-operator", Set.of("usage:write", "usage:read", "admin"), List.of(), Duration.ofDays(1));
    }

    /** The claims of {@link #token}, for tests that need to vary issuer, audience, key or expiry. */
    public static JwtClaimsBuilder claims(String principal, Set<String> roles, Collection<String> customers,
            Duration ttl) {
        JwtClaimsBuilder claims = Jwt.issuer(ISSUER).audience(AUDIENCE).subject(principal).upn(principal)
                .groups(roles).expiresIn(ttl);
        if (customers != null && !customers.isEmpty()) {
            claims.claim(CUSTOMERS_CLAIM, List.copyOf(customers));
        }
        return claims;
    }
}
