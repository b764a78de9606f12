package org.nubes.identity.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.util.List;
import java.util.Set;
import org.nubes.core.auth.Access;
import org.nubes.core.auth.Target;
import org.nubes.core.http.ApiException;
import org.nubes.core.http.Http;
import org.nubes.core.http.Routes;
import org.nubes.identity.service.Tokens;
import org.nubes.identity.store.Domain;
import org.nubes.identity.store.IdentityStores;
import org.nubes.identity.store.Ids;

/** /v3/domains. */
final class DomainApi {
    private static final Set<String> KNOWN = Set.of("name", "description", "enabled", "tags", "options", "explicit_domain_id");

    private final IdentityStores stores;
    private final Tokens tokens;

    DomainApi(IdentityStores stores, Tokens tokens) {
        this.stores = stores;
        this.tokens = tokens;
    }

    void register(Routes routes) {
        routes.get("/v3/domains", Access.rule("identity:list_domains"), this::list);
        routes.post("/v3/domains", Access.rule("identity:create_domain"), this::create);
        routes.get("/v3/domains/{domain_id}", Access.rule("identity:get_domain"), this::show);
        routes.patch("/v3/domains/{domain_id}", Access.rule("identity:update_domain"), this::update);
        routes.delete("/v3/domains/{domain_id}", Access.rule("identity:delete_domain"), this::delete);
    }

    private void list(Context ctx) {
        String base = Http.baseUrl(ctx);
        List<ObjectNode> domains = stores.domains().list().stream().map(d -> Views.domain(base, d)).toList();
        Lists.answer(ctx, "domains", Filters.apply(ctx, domains, Set.of("name", "enabled")));
    }

    private void create(Context ctx) {
        ObjectNode body = Body.resource(ctx, "domain");
        String name = Body.requiredString(body, "name", 64);
        String explicitId = Body.optionalString(body, "explicit_domain_id", 64);
        Domain domain = new Domain(explicitId != null ? explicitId : Ids.newId(), name,
                Body.optionalString(body, "description", 65535), Body.bool(body, "enabled", true), Body.extra(body, KNOWN));
        stores.domains().create(domain);
        Http.json(ctx, 201, wrap(Http.baseUrl(ctx), domain));
    }

    private void show(Context ctx) {
        Domain domain = find(ctx.pathParam("domain_id"));
        Http.enforce(ctx, "identity:get_domain", Target.of("domain_id", domain.id()));
        Http.json(ctx, wrap(Http.baseUrl(ctx), domain));
    }

    private void update(Context ctx) {
        Domain domain = find(ctx.pathParam("domain_id"));
        ObjectNode body = Body.resource(ctx, "domain");
        boolean enabled = Body.bool(body, "enabled", domain.enabled());
        Domain updated = new Domain(domain.id(),
                body.has("name") ? Body.requiredString(body, "name", 64) : domain.name(),
                body.has("description") ? Body.optionalString(body, "description", 65535) : domain.description(),
                enabled, Body.mergeExtra(domain.extra(), body, KNOWN));
        stores.domains().update(updated);
        if (domain.enabled() && !enabled) {
            tokens.revokeDomain(domain.id());
        }
        Http.json(ctx, wrap(Http.baseUrl(ctx), updated));
    }

    private void delete(Context ctx) {
        Domain domain = find(ctx.pathParam("domain_id"));
        if (domain.enabled()) {
            throw ApiException.forbidden("Cannot delete a domain that is enabled, please disable it first.");
        }
        stores.domains().delete(domain.id());
        tokens.revokeDomain(domain.id());
        Http.noContent(ctx);
    }

    private Domain find(String id) {
        return stores.domains().get(id).orElseThrow(() -> ApiException.notFound("Could not find domain: %s.", id));
    }

    private static ObjectNode wrap(String base, Domain domain) {
        return Views.wrap("domain", Views.domain(base, domain));
    }
}
