package dev.switchboard.benchmarks;

import java.util.SplittableRandom;

/**
 * A Zipf law over {@code n} ranks and its inverse-CDF sampler: rank {@code r} (1-based) has
 * probability proportional to {@code 1 / r^exponent}; exponent 0 is uniform. Owns the cumulative
 * table and the draw from it; it holds no random source, so a caller keeps its own seeded
 * {@link SplittableRandom} and the order of its draws (one {@code nextDouble()} per sample).
 * Shared by the load generator, the routing simulator and the router benchmark, so that their
 * "Zipf 0.9" is one law. Immutable and safe to share between threads.
 */
public final class Zipf {

    private final double[] cdf;
    private final double exponent;

    /**
     * The law over {@code n} ranks.
     *
     * @throws IllegalArgumentException if {@code n < 1} or {@code exponent} is negative or not finite
     */
    public Zipf(int n, double exponent) {
        if (n < 1) {
            throw new IllegalArgumentException("a Zipf law needs at least one rank, got " + n);
        }
        if (!(exponent >= 0) || Double.isInfinite(exponent)) {
            throw new IllegalArgumentException("the Zipf exponent must be finite and >= 0, got " + exponent);
        }
        this.exponent = exponent;
        this.cdf = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += 1 / Math.pow(i + 1, exponent);
            cdf[i] = sum;
        }
        for (int i = 0; i < n; i++) {
            cdf[i] /= sum;
        }
    }

    /** The number of ranks. */
    public int size() {
        return cdf.length;
    }

    /** The exponent of the law. */
    public double exponent() {
        return exponent;
    }

    /** The probability that a sample is one of the indexes {@code 0..index}, that is ranks 1 to {@code index + 1}. */
    public double cdf(int index) {
        return cdf[index];
    }

    /** The probability of index {@code index} (rank {@code index + 1}). */
    public double probability(int index) {
        return index == 0 ? cdf[0] : cdf[index] - cdf[index - 1];
    }

    /**
     * The index, in {@code [0, size())}, whose cumulative probability is the first at or above
     * {@code u}; index 0 is rank 1, the most probable. A uniform {@code u} in {@code [0, 1)} gives a
     * Zipf-distributed index.
     */
    public int index(double u) {
        int lo = 0;
        int hi = cdf.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cdf[mid] < u) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** A Zipf-distributed index in {@code [0, size())}, drawing exactly one {@code nextDouble()} from {@code random}. */
    public int sample(SplittableRandom random) {
        return index(random.nextDouble());
    }
}
