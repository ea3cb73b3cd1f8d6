package dev.switchboard.core.routing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * How far the hot sets of independent relays differ (issue 20): three relays, each counting only
 * the requests of the sessions a load balancer gives it, against one relay counting them all, on
 * a Zipf 0.9 stream over 20,000 keys with the hot set's bound for 8 workers. Measured at every
 * 10,000th request after the sketch's first period: the overlap (Jaccard index) of each relay's
 * hot set with the single relay's.
 */
class HotSetAgreementTest {

    static final int KEYS = 20_000;
    static final int REQUESTS = 400_000;
    static final int SESSIONS = 1000;
    static final int RELAYS = 3;
    /** Mean overlap of a relay's hot set with the single relay's, at least. */
    static final double MIN_MEAN_OVERLAP = 0.8;
    /** Overlap at any checkpoint, at least. */
    static final double MIN_OVERLAP = 0.7;

    @Test
    void independentRelaysAgreeOnMostOfTheHotSet() {
        int bound = CacheAffinity.hotBound(8, 200);
        long[] hashes = new long[KEYS];
        for (int k = 0; k < KEYS; k++) {
            hashes[k] = Rendezvous.hash("key-" + k);
        }
        double[] cdf = zipfCdf(0.9, KEYS);
        SplittableRandom random = new SplittableRandom(1);
        HotKeys all = new HotKeys();
        HotKeys[] relays = new HotKeys[RELAYS];
        for (int r = 0; r < RELAYS; r++) {
            relays[r] = new HotKeys();
        }
        double sum = 0;
        double min = 1;
        int checks = 0;
        for (int i = 0; i < REQUESTS; i++) {
            int key = draw(cdf, random.nextDouble());
            int session = random.nextInt(SESSIONS);
            all.record(hashes[key], bound);
            relays[session % RELAYS].record(hashes[key], bound);
            if (i >= HotKeys.SAMPLE_PERIOD && i % 10_000 == 0) {
                Set<Integer> reference = members(all, hashes);
                for (HotKeys relay : relays) {
                    double overlap = jaccard(reference, members(relay, hashes));
                    sum += overlap;
                    min = Math.min(min, overlap);
                    checks++;
                }
            }
        }
        double mean = sum / checks;
        System.out.printf("hot set of %d keys: overlap with one relay's, mean %.3f, lowest %.3f over %d checks%n",
                bound, mean, min, checks);
        assertTrue(mean >= MIN_MEAN_OVERLAP, "mean overlap " + mean);
        assertTrue(min >= MIN_OVERLAP, "lowest overlap " + min);
    }

    private static Set<Integer> members(HotKeys hot, long[] hashes) {
        Set<Integer> out = new HashSet<>();
        for (int k = 0; k < hashes.length; k++) {
            if (hot.contains(hashes[k])) {
                out.add(k);
            }
        }
        return out;
    }

    private static double jaccard(Set<Integer> a, Set<Integer> b) {
        Set<Integer> union = new HashSet<>(a);
        union.addAll(b);
        if (union.isEmpty()) {
            return 1;
        }
        Set<Integer> both = new HashSet<>(a);
        both.retainAll(b);
        return (double) both.size() / union.size();
    }

    private static double[] zipfCdf(double s, int n) {
        double[] cdf = new double[n];
        double total = 0;
        for (int k = 0; k < n; k++) {
            total += 1 / Math.pow(k + 1, s);
            cdf[k] = total;
        }
        for (int k = 0; k < n; k++) {
            cdf[k] /= total;
        }
        return cdf;
    }

    private static int draw(double[] cdf, double u) {
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
}
