package io.meterline.billing.reporting;

import io.meterline.billing.lease.LeaseRepository;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;

/** The reporting lease: one reporter at a time across replicas (a {@link LeaseRepository} lease named {@value #LEASE_ID}). */
@ApplicationScoped
public class ReportLeaseRepository {

    static final String LEASE_ID = "stripe-reporter";

    private final LeaseRepository leases;

    public ReportLeaseRepository(LeaseRepository leases) {
        this.leases = leases;
    }

    /** Takes or renews the lease for {@code owner}; false when someone else holds a live one. */
    public boolean acquire(String owner, Duration ttl) {
        return leases.acquire(LEASE_ID, owner, ttl);
    }

    /** Extends the lease {@code owner} still holds; false when it was lost (expired, broken, taken over). */
    public boolean renew(String owner, Duration ttl) {
        return leases.renew(LEASE_ID, owner, ttl);
    }

    /** Gives the lease up (only when still ours), so the next run need not wait for it to expire. */
    public void release(String owner) {
        leases.release(LEASE_ID, owner);
    }

    /** Who holds a live lease, or null. */
    public String holder() {
        LeaseRepository.Lease lease = current();
        return lease == null ? null : lease.owner();
    }

    /** The live lease with its renewal times, or null. */
    public LeaseRepository.Lease current() {
        return leases.live(LEASE_ID);
    }

    /** Breaks the live lease of {@code owner}; the lease as it was, or null when {@code owner} does not hold it. */
    public LeaseRepository.Lease breakLease(String owner) {
        return leases.breakLease(LEASE_ID, owner);
    }
}
