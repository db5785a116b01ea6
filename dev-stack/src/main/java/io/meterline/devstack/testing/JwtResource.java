package io.meterline.devstack.testing;

import io.meterline.devstack.DevJwt;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/** Makes the application under test verify tokens signed by the key pair generated for this test run. */
public class JwtResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        DevJwt jwt = SharedInfrastructure.jwt();
        return Map.of(
                "mp.jwt.verify.publickey", jwt.publicKeyPem(),
                "mp.jwt.verify.issuer", DevJwt.ISSUER,
                "mp.jwt.verify.audiences", DevJwt.AUDIENCE);
    }

    @Override
    public void stop() {
    }
}
