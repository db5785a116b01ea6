package io.meterline.billing.ops;

import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Optional;

/**
 * The console's sign-in: the operator pastes the same JWT the APIs take; it is verified like any bearer token
 * (key, issuer, audience, expiry), must carry the {@code admin} role, and then lives only in an HttpOnly,
 * SameSite=Strict cookie. Forms that change something carry a CSRF token derived from the session token, which
 * a page on another site can neither read nor compute.
 */
@ApplicationScoped
public class OpsSession {

    public static final String COOKIE = "meterline_ops";
    static final String ADMIN = "admin";

    private final JWTParser parser;

    public OpsSession(JWTParser parser) {
        this.parser = parser;
    }

    /** The verified admin token, or empty (absent, invalid, expired, or not an admin). */
    public Optional<JsonWebToken> verify(String token) {
        if (token == null || token.isBlank()) {
            return Optional.empty();
        }
        try {
            JsonWebToken jwt = parser.parse(token.trim());
            return jwt.getGroups().contains(ADMIN) ? Optional.of(jwt) : Optional.empty();
        } catch (ParseException e) {
            return Optional.empty();
        }
    }

    /** The CSRF token of a session: a hash of its token, so it needs no server-side state. */
    public static String csrf(String token) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(("meterline-ops-csrf:" + token).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static boolean csrfMatches(String token, String submitted) {
        return submitted != null && MessageDigest.isEqual(csrf(token).getBytes(StandardCharsets.UTF_8),
                submitted.getBytes(StandardCharsets.UTF_8));
    }
}
