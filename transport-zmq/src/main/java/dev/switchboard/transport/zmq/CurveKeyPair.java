package dev.switchboard.transport.zmq;

import java.util.Objects;
import org.zeromq.ZMQ;

/**
 * A CURVE key pair in Z85 text (40 characters each), for the gateway's server keys and each
 * worker's client keys. The secret key is a secret: keep it out of logs.
 *
 * <p>How it may grow: a CURVE key pair is two keys and stays so; construct it from existing keys or
 * through {@link #generate()}.
 *
 * @param publicKey the public key, Z85
 * @param secretKey the secret key, Z85
 */
public record CurveKeyPair(String publicKey, String secretKey) {

    /**
     * Checks that both keys are 40 Z85 characters (32 bytes).
     *
     * @param publicKey the public key, 40 Z85 characters
     * @param secretKey the secret key, 40 Z85 characters
     */
    public CurveKeyPair {
        checkKey(publicKey, "publicKey");
        checkKey(secretKey, "secretKey");
    }

    /**
     * A new random key pair.
     *
     * @return a new random key pair
     */
    public static CurveKeyPair generate() {
        ZMQ.Curve.KeyPair kp = ZMQ.Curve.generateKeyPair();
        return new CurveKeyPair(kp.publicKey, kp.secretKey);
    }

    /** Checks that {@code key} is a Z85 CURVE key; returns it. */
    static String checkKey(String key, String name) {
        Objects.requireNonNull(key, name);
        if (key.length() != ZMQ.Curve.KEY_SIZE_Z85) {
            throw new IllegalArgumentException(name + " must be " + ZMQ.Curve.KEY_SIZE_Z85
                    + " Z85 characters, was " + key.length());
        }
        byte[] raw;
        try {
            raw = ZMQ.Curve.z85Decode(key);
        } catch (RuntimeException e) {
            raw = null;
        }
        if (raw == null || raw.length != ZMQ.Curve.KEY_SIZE) {
            throw new IllegalArgumentException(name + " is not valid Z85");
        }
        return key;
    }

    @Override
    public String toString() {
        return "CurveKeyPair[publicKey=" + publicKey + ", secretKey=<hidden>]";
    }
}
