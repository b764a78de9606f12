package org.nubes.core.http;

import io.javalin.http.Context;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Marker/limit paging as OpenStack APIs do it: {@code limit} caps the page (and the server's
 * maximum caps the limit), {@code marker} is the id of the last item of the previous page, and a
 * full page carries a {@code next} link that repeats the query with the new marker.
 */
public record PageRequest(int limit, String marker) {

    public static PageRequest of(Context ctx, int maxLimit) {
        String limitText = ctx.queryParam("limit");
        int limit = maxLimit;
        if (limitText != null) {
            try {
                limit = Integer.parseInt(limitText);
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("limit must be an integer, not '%s'.", limitText);
            }
            if (limit < 0) {
                throw ApiException.badRequest("limit must be 0 or greater, not %d.", limit);
            }
        }
        return new PageRequest(Math.min(limit, maxLimit), ctx.queryParam("marker"));
    }

    /** Whether a page of this size may have a successor. */
    public boolean isFull(int pageSize) {
        return pageSize > 0 && pageSize >= limit;
    }

    /** The link to the page after the one ending with {@code lastId}. */
    public String nextLink(Context ctx, String lastId) {
        Map<String, List<String>> query = ctx.queryParamMap();
        String rest = query.entrySet().stream()
                .filter(e -> !e.getKey().equals("marker"))
                .flatMap(e -> e.getValue().stream().map(v -> encode(e.getKey()) + "=" + encode(v)))
                .collect(Collectors.joining("&"));
        String marker = "marker=" + encode(lastId);
        return Http.baseUrl(ctx) + ctx.path() + "?" + (rest.isEmpty() ? marker : rest + "&" + marker);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
