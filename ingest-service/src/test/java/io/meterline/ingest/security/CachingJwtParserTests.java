package io.meterline.ingest.security;

import io.meterline.devstack.DevJwt;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.jwt.auth.principal.JWTParser;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.junit.jupiter.api.Test;

import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CachingJwtParserTests {

    private static final DevJwt KEYS = DevJwt.generate();

    /** The real smallrye-jwt verifier, counting how often it runs. */
    private static final class CountingParser extends DefaultJWTParser {
        final AtomicInteger verifications = new AtomicInteger();

        CountingParser() {
            super(contextInfo());
        }

        @Override
        public JsonWebToken parse(String token) throws ParseException {
            verifications.incrementAndGet();
            return super.parse(token);
        }
    }

    private static JWTAuthContextInfo contextInfo() {
        JWTAuthContextInfo info = new JWTAuthContextInfo(publicKey(), DevJwt.ISSUER);
        info.setExpectedAudience(Set.of(DevJwt.AUDIENCE));
        return info;
    }

    private static RSAPublicKey publicKey() {
        try {
            String pem = KEYS.publicKeyPem().replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            var spec = new java.security.spec.X509EncodedKeySpec(java.util.Base64.getDecoder().decode(pem));
            return (RSAPublicKey) java.security.KeyFactory.getInstance("RSA").generatePublic(spec);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aVerifiedTokenIsNotVerifiedAgainWithinTheTtl() throws Exception {
        CountingParser real = new CountingParser();
        JWTParser parser = new CachingJwtParser(real, 100, Duration.ofMinutes(1));
        String token = KEYS.token("p", Set.of("usage:write"), List.of(), Duration.ofMinutes(5));

        JsonWebToken first = parser.parse(token);
        JsonWebToken second = parser.parse(token);

        assertThat(second).isSameAs(first);
        assertThat(second.getGroups()).contains("usage:write");
        assertThat(real.verifications).hasValue(1);
    }

    @Test
    void aRejectedTokenIsRejectedEveryTime() {
        CountingParser real = new CountingParser();
        JWTParser parser = new CachingJwtParser(real, 100, Duration.ofMinutes(1));
        String forged = DevJwt.generate().token("p", Set.of("usage:write"), List.of(), Duration.ofMinutes(5));

        assertThatThrownBy(() -> parser.parse(forged)).isInstanceOf(ParseException.class);
        assertThatThrownBy(() -> parser.parse(forged)).isInstanceOf(ParseException.class);
        assertThat(real.verifications).hasValue(2);
    }

    @Test
    void anEntryPastItsTtlIsVerifiedAgain() throws Exception {
        CountingParser real = new CountingParser();
        JWTParser parser = new CachingJwtParser(real, 100, Duration.ZERO);
        String token = KEYS.token("p", Set.of("usage:write"), List.of(), Duration.ofMinutes(5));

        parser.parse(token);
        parser.parse(token);

        assertThat(real.verifications).hasValue(2);
    }

    @Test
    void aZeroSizeCacheVerifiesEveryRequest() throws Exception {
        CountingParser real = new CountingParser();
        JWTParser parser = new CachingJwtParser(real, 0, Duration.ofMinutes(1));
        String token = KEYS.token("p", Set.of("usage:write"), List.of(), Duration.ofMinutes(5));

        parser.parse(token);
        parser.parse(token);

        assertThat(real.verifications).hasValue(2);
    }
}
