package io.meterline.devstack;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A throw-away certificate authority and a broker certificate it signed (SAN {@code 127.0.0.1} and {@code localhost}),
 * made at run time with JDK APIs only: EC P-256 keys, the X.509 structures written in DER here (the JDK has no
 * public certificate builder, BouncyCastle is not on dev-stack's classpath, and running {@code keytool} seven times
 * took over 30 s on a loaded machine), signed with {@code SHA256withECDSA} and read back by the JDK's
 * {@link CertificateFactory}. Nothing is committed: the files live in a temporary directory and the keystore
 * password is random. Clients trust the CA through its PEM file, as they trust Strimzi's cluster CA ({@code ca.crt}).
 *
 * @param brokerKeystore   PKCS12 keystore holding the broker's key and its chain
 * @param keystorePassword password of {@code brokerKeystore} and of its key
 * @param caCertificate    the CA certificate, PEM
 */
public record DevTls(Path brokerKeystore, String keystorePassword, Path caCertificate) {

    private static final int DAYS = 30;

    /** Generates the CA and the broker certificate under {@code dir} (created if missing). */
    public static DevTls generate(Path dir) {
        try {
            Files.createDirectories(dir);
            SecureRandom random = new SecureRandom();
            byte[] secret = new byte[16];
            random.nextBytes(secret);
            String password = HexFormat.of().formatHex(secret);
            KeyPair caKeys = ecKeys(random);
            KeyPair brokerKeys = ecKeys(random);
            X509Certificate ca = sign(name("Meterline dev-stack CA"), caKeys.getPublic(), name("Meterline dev-stack CA"),
                    caKeys.getPrivate(), caExtensions(), random);
            X509Certificate broker = sign(name("localhost"), brokerKeys.getPublic(), name("Meterline dev-stack CA"),
                    caKeys.getPrivate(), serverExtensions(), random);
            broker.verify(ca.getPublicKey());

            Path keystore = dir.resolve("broker.p12");
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("broker", brokerKeys.getPrivate(), password.toCharArray(), new Certificate[] {broker, ca});
            try (OutputStream out = Files.newOutputStream(keystore)) {
                store.store(out, password.toCharArray());
            }
            Path caPem = dir.resolve("ca.crt");
            Files.writeString(caPem, "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(ca.getEncoded())
                    + "\n-----END CERTIFICATE-----\n", StandardCharsets.US_ASCII);
            return new DevTls(keystore, password, caPem);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("generating the dev-stack certificates failed", e);
        }
    }

    private static KeyPair ecKeys(SecureRandom random) throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), random);
        return generator.generateKeyPair();
    }

    private static X509Certificate sign(byte[] subject, PublicKey key, byte[] issuer, PrivateKey issuerKey,
            byte[] extensions, SecureRandom random) throws GeneralSecurityException {
        byte[] algorithm = seq(oid(1, 2, 840, 10045, 4, 3, 2)); // ecdsa-with-SHA256
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC).withNano(0);
        byte[] tbs = seq(
                tagged(0xa0, integer(BigInteger.TWO)), // v3
                integer(new BigInteger(64, random).add(BigInteger.ONE)),
                algorithm,
                issuer,
                seq(utcTime(now.minusHours(1)), utcTime(now.plusDays(DAYS))),
                subject,
                key.getEncoded(), // SubjectPublicKeyInfo, already DER
                tagged(0xa3, seq(extensions)));
        Signature signature = Signature.getInstance("SHA256withECDSA");
        signature.initSign(issuerKey, random);
        signature.update(tbs);
        byte[] certificate = seq(tbs, algorithm, bitString(signature.sign()));
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(certificate));
    }

    private static byte[] caExtensions() {
        return concat(
                extension(oid(2, 5, 29, 19), true, seq(tlv(0x01, new byte[] {(byte) 0xff}))), // basicConstraints cA
                extension(oid(2, 5, 29, 15), true, bitString(new byte[] {0x06}))); // keyUsage keyCertSign, cRLSign
    }

    private static byte[] serverExtensions() {
        return concat(
                extension(oid(2, 5, 29, 17), false, seq( // subjectAltName
                        tlv(0x87, new byte[] {127, 0, 0, 1}),
                        tlv(0x82, "localhost".getBytes(StandardCharsets.US_ASCII)))),
                extension(oid(2, 5, 29, 37), false, seq(oid(1, 3, 6, 1, 5, 5, 7, 3, 1)))); // extKeyUsage serverAuth
    }

    private static byte[] extension(byte[] oid, boolean critical, byte[] value) {
        return critical ? seq(oid, tlv(0x01, new byte[] {(byte) 0xff}), tlv(0x04, value)) : seq(oid, tlv(0x04, value));
    }

    private static byte[] name(String commonName) {
        return seq(tlv(0x31, seq(oid(2, 5, 4, 3), tlv(0x0c, commonName.getBytes(StandardCharsets.UTF_8)))));
    }

    private static byte[] utcTime(ZonedDateTime time) {
        return tlv(0x17, time.format(DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'")).getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] integer(BigInteger value) {
        return tlv(0x02, value.toByteArray());
    }

    private static byte[] bitString(byte[] bits) {
        return tlv(0x03, concat(new byte[] {0}, bits));
    }

    private static byte[] oid(int... arcs) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(40 * arcs[0] + arcs[1]);
        for (int i = 2; i < arcs.length; i++) {
            int arc = arcs[i];
            int shift = 28;
            while (shift > 0 && (arc >>> shift) == 0) {
                shift -= 7;
            }
            for (; shift > 0; shift -= 7) {
                out.write(0x80 | ((arc >>> shift) & 0x7f));
            }
            out.write(arc & 0x7f);
        }
        return tlv(0x06, out.toByteArray());
    }

    private static byte[] tagged(int tag, byte[] content) {
        return tlv(tag, content);
    }

    private static byte[] seq(byte[]... parts) {
        return tlv(0x30, concat(parts));
    }

    private static byte[] tlv(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int length = content.length;
        if (length < 0x80) {
            out.write(length);
        } else {
            byte[] bytes = BigInteger.valueOf(length).toByteArray();
            int skip = bytes[0] == 0 ? 1 : 0;
            out.write(0x80 | (bytes.length - skip));
            out.write(bytes, skip, bytes.length - skip);
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
