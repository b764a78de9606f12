package org.nubes.core.http;

/** An OpenStack API microversion such as 2.53; ordered by major then minor. */
public record Microversion(int major, int minor) implements Comparable<Microversion> {

    /** Parses "2.53"; 400 for anything else. */
    public static Microversion parse(String text) {
        String[] parts = text.strip().split("\\.");
        try {
            if (parts.length == 2) {
                int major = Integer.parseInt(parts[0]);
                int minor = Integer.parseInt(parts[1]);
                if (parts[0].chars().allMatch(Character::isDigit) && parts[1].chars().allMatch(Character::isDigit)) {
                    return new Microversion(major, minor);
                }
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw ApiException.badRequest("Version %s is not a valid microversion: use MAJOR.MINOR, e.g. 2.1.", text.strip());
    }

    public boolean atLeast(int major, int minor) {
        return compareTo(new Microversion(major, minor)) >= 0;
    }

    @Override
    public int compareTo(Microversion other) {
        return major != other.major ? Integer.compare(major, other.major) : Integer.compare(minor, other.minor);
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
