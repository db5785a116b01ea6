package io.meterline.ingest.domain;

import java.util.Set;

/**
 * The subjects a caller may write usage for, taken from its token (never from the request body).
 * {@link #unrestricted()} when the token carries no scope claim.
 */
public final class SubjectScope {

    private static final SubjectScope UNRESTRICTED = new SubjectScope(null);

    private final Set<String> subjects;

    private SubjectScope(Set<String> subjects) {
        this.subjects = subjects;
    }

    public static SubjectScope unrestricted() {
        return UNRESTRICTED;
    }

    public static SubjectScope only(Set<String> subjects) {
        return new SubjectScope(Set.copyOf(subjects));
    }

    public boolean allows(String subject) {
        return subjects == null || subjects.contains(subject);
    }

    public boolean restricted() {
        return subjects != null;
    }

    @Override
    public String toString() {
        return subjects == null ? "all subjects" : "subjects " + subjects;
    }
}
