package org.nubes.compute.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.nubes.compute.service.Keypairs;
import org.nubes.compute.store.Keypair;
import org.nubes.compute.store.KeypairStore;
import org.nubes.core.auth.Access;
import org.nubes.core.auth.Target;
import org.nubes.core.http.Http;
import org.nubes.core.http.Microversion;
import org.nubes.core.http.Routes;
import org.nubes.core.json.Json;

/**
 * The key pair routes (os-keypairs), with Nova's changes: 2.2 adds type (and answers create with
 * 201, delete with 204), 2.10 lets an admin act for another user with user_id, 2.35 pages the list.
 */
public final class KeypairApi {
    private static final Pattern NAME = Pattern.compile("^[_\\- a-zA-Z0-9]+$");

    private final Keypairs keypairs;

    public KeypairApi(Keypairs keypairs) {
        this.keypairs = keypairs;
    }

    public void register(Routes routes) {
        routes.get("/v2.1/os-keypairs", Access.rule("os_compute_api:os-keypairs:index"), this::list);
        routes.post("/v2.1/os-keypairs", Access.rule("os_compute_api:os-keypairs:create"), this::create);
        routes.get("/v2.1/os-keypairs/{keypair_name}", Access.rule("os_compute_api:os-keypairs:show"), this::show);
        routes.delete("/v2.1/os-keypairs/{keypair_name}", Access.rule("os_compute_api:os-keypairs:delete"), this::delete);
    }

    /** The user a request is about: the caller, or from 2.10 the user_id query parameter. */
    private static String user(Context ctx) {
        String userId = Http.microversion(ctx).atLeast(2, 10) ? ctx.queryParam("user_id") : null;
        return userId == null ? Http.caller(ctx).userId() : userId;
    }

    private void list(Context ctx) {
        String userId = user(ctx);
        Http.enforce(ctx, "os_compute_api:os-keypairs:index:user_id", Target.of("user_id", userId));
        Microversion version = Http.microversion(ctx);
        boolean paged = version.atLeast(2, 35);
        int limit = Integer.MAX_VALUE;
        String marker = null;
        if (paged) {
            Integer asked = Input.queryInt(ctx, "limit");
            limit = asked == null ? FlavorApi.MAX_LIMIT : Math.min(asked, FlavorApi.MAX_LIMIT);
            marker = ctx.queryParam("marker");
        }
        List<KeypairStore.Row> rows = keypairs.list(userId, marker, limit);
        ObjectNode body = Json.object();
        ArrayNode list = body.putArray("keypairs");
        for (KeypairStore.Row row : rows) {
            Keypair k = row.keypair();
            ObjectNode view = Json.object().put("name", k.name()).put("public_key", k.publicKey())
                    .put("fingerprint", k.fingerprint());
            if (version.atLeast(2, 2)) {
                view.put("type", k.type());
            }
            list.addObject().set("keypair", view);
        }
        if (paged && limit > 0 && rows.size() == limit) {
            body.putArray("keypairs_links").add(FlavorApi.nextLink(ctx, "os-keypairs", rows.getLast().keypair().name()));
        }
        Http.json(ctx, body);
    }

    private void create(Context ctx) {
        Microversion version = Http.microversion(ctx);
        ObjectNode in = Input.wrapped(ctx, "keypair");
        List<String> allowed = new ArrayList<>(List.of("name", "public_key"));
        if (version.atLeast(2, 2)) {
            allowed.add("type");
        }
        if (version.atLeast(2, 10)) {
            allowed.add("user_id");
        }
        Input.only(in, allowed);
        String name = Input.name(in, "name", 255);
        if (!NAME.matcher(name).matches()) {
            throw Input.invalid("name", in.get("name"), "'" + name + "' does not match '" + NAME.pattern() + "'");
        }
        String type = Keypairs.SSH;
        JsonNode typeNode = in.get("type");
        if (typeNode != null) {
            if (!typeNode.isTextual() || !(typeNode.asText().equals(Keypairs.SSH) || typeNode.asText().equals(Keypairs.X509))) {
                throw Input.invalid("type", typeNode, Json.string(typeNode) + " is not one of ['ssh', 'x509']");
            }
            type = typeNode.asText();
        }
        String publicKey = Input.string(in, "public_key");
        String userId = Input.string(in, "user_id");
        var caller = Http.caller(ctx);
        if (userId == null) {
            userId = caller.userId();
        }
        Http.enforce(ctx, "os_compute_api:os-keypairs:create:user_id", Target.of("user_id", userId));
        Keypairs.Created created = keypairs.create(userId, caller.projectId(), name.strip(), type, publicKey);
        Keypair k = created.row().keypair();
        ObjectNode view = Json.object().put("fingerprint", k.fingerprint()).put("name", k.name());
        if (version.atLeast(2, 2)) {
            view.put("type", k.type());
        }
        if (created.privateKey() != null) {
            view.put("private_key", created.privateKey());
        }
        view.put("public_key", k.publicKey()).put("user_id", k.userId());
        Http.json(ctx, version.atLeast(2, 2) ? 201 : 200, Json.object().set("keypair", view));
    }

    private void show(Context ctx) {
        String userId = user(ctx);
        Http.enforce(ctx, "os_compute_api:os-keypairs:show", Target.of("user_id", userId));
        KeypairStore.Row row = keypairs.get(userId, ctx.pathParam("keypair_name"));
        Keypair k = row.keypair();
        ObjectNode view = Json.object().put("fingerprint", k.fingerprint()).put("name", k.name());
        if (Http.microversion(ctx).atLeast(2, 2)) {
            view.put("type", k.type());
        }
        view.put("public_key", k.publicKey()).put("user_id", k.userId()).put("deleted", false)
                .put("created_at", Input.time(k.createdAt())).putNull("updated_at").putNull("deleted_at")
                .put("id", row.seq());
        Http.json(ctx, Json.object().set("keypair", view));
    }

    private void delete(Context ctx) {
        String userId = user(ctx);
        Http.enforce(ctx, "os_compute_api:os-keypairs:delete", Target.of("user_id", userId));
        keypairs.delete(userId, ctx.pathParam("keypair_name"));
        ctx.status(Http.microversion(ctx).atLeast(2, 2) ? 204 : 202);
    }
}
