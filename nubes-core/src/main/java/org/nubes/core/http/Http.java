package org.nubes.core.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.io.IOException;
import org.nubes.core.auth.AuthContext;
import org.nubes.core.auth.Policy;
import org.nubes.core.auth.Target;
import org.nubes.core.json.Json;

/** What handlers need from a request: the caller, the JSON body, policy checks and JSON answers. */
public final class Http {
    static final String CALLER = "nubes.caller";
    static final String POLICY = "nubes.policy";
    static final String ENFORCED = "nubes.enforced";
    static final String MICROVERSION = "nubes.microversion";
    public static final String REQUEST_ID = "nubes.request-id";

    private Http() {}

    /** The validated caller; only routes with a policy rule have one. */
    public static AuthContext caller(Context ctx) {
        AuthContext caller = ctx.attribute(CALLER);
        if (caller == null) {
            throw ApiException.unauthorized("The request you have made requires authentication.");
        }
        return caller;
    }

    /** The negotiated microversion of a microversioned API. */
    public static Microversion microversion(Context ctx) {
        Microversion version = ctx.attribute(MICROVERSION);
        if (version == null) {
            throw new IllegalStateException("the API of " + ctx.path() + " has no microversions");
        }
        return version;
    }

    public static String requestId(Context ctx) {
        return ctx.attribute(REQUEST_ID);
    }

    /** Checks a targeted rule once the handler knows the resource; 403 when it denies. */
    public static void enforce(Context ctx, String rule, Target target) {
        Policy policy = ctx.attribute(POLICY);
        policy.enforce(rule, caller(ctx), target);
        ctx.attribute(ENFORCED, Boolean.TRUE);
    }

    public static boolean allows(Context ctx, String rule, Target target) {
        Policy policy = ctx.attribute(POLICY);
        ctx.attribute(ENFORCED, Boolean.TRUE);
        return policy.allows(rule, caller(ctx), target);
    }

    /** The request body as a JSON object; 400 when it is missing or not JSON. */
    public static ObjectNode jsonBody(Context ctx) {
        byte[] body = ctx.bodyAsBytes();
        if (body.length == 0) {
            throw ApiException.badRequest("The request body is empty; a JSON object is expected.");
        }
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            throw ApiException.badRequest("Malformed request body: it is not valid JSON.");
        }
        if (!(node instanceof ObjectNode object)) {
            throw ApiException.badRequest("Malformed request body: a JSON object is expected.");
        }
        return object;
    }

    public static void json(Context ctx, int status, Object body) {
        ctx.status(status).contentType("application/json").result(Json.bytes(body));
    }

    public static void json(Context ctx, Object body) {
        json(ctx, 200, body);
    }

    public static void noContent(Context ctx) {
        ctx.status(204);
    }

    /** scheme://host[:port] the client used, for links in answers. */
    public static String baseUrl(Context ctx) {
        String host = ctx.header("Host");
        if (host == null) {
            host = ctx.host();
        }
        return ctx.scheme() + "://" + host;
    }
}
