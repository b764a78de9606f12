package org.nubes.core.http;

import io.javalin.http.Context;

/**
 * The microversions one API honours, and the negotiation of the version a request asked for:
 * the {@code OpenStack-API-Version: <service-type> <version>} header (or the service's legacy
 * header), "latest" meaning the maximum, none meaning the minimum. The answer echoes the chosen
 * version in the same headers.
 */
public record MicroversionRange(String serviceType, String legacyHeader, Microversion min, Microversion max) {
    public static final String HEADER = "OpenStack-API-Version";

    public Microversion negotiate(Context ctx) {
        String standard = String.join(",", java.util.Collections.list(ctx.req().getHeaders(HEADER)));
        String legacy = legacyHeader == null ? null : ctx.header(legacyHeader);
        Microversion chosen = choose(requested(standard.isEmpty() ? null : standard, legacy));
        ctx.header(HEADER, serviceType + " " + chosen);
        if (legacyHeader != null) {
            ctx.header(legacyHeader, chosen.toString());
        }
        ctx.header("Vary", HEADER + (legacyHeader != null ? ", " + legacyHeader : ""));
        return chosen;
    }

    /** The version text asked for in a header value, or null when the request names none. */
    String requested(String standard, String legacy) {
        if (standard != null) {
            for (String entry : standard.split(",")) {
                String[] words = entry.strip().split("\\s+");
                if (words.length == 2 && words[0].equalsIgnoreCase(serviceType)) {
                    return words[1];
                }
            }
        }
        return legacy;
    }

    Microversion choose(String requested) {
        if (requested == null || requested.isBlank()) {
            return min;
        }
        if (requested.strip().equalsIgnoreCase("latest")) {
            return max;
        }
        Microversion version = Microversion.parse(requested);
        if (version.compareTo(min) < 0 || version.compareTo(max) > 0) {
            throw new ApiException(ApiException.Kind.NOT_ACCEPTABLE,
                    "Version %s is not supported by the API. Minimum is %s and maximum is %s."
                            .formatted(version, min, max));
        }
        return version;
    }
}
