package org.nubes.identity.service;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.nubes.core.http.CatalogEntry;
import org.nubes.core.json.Json;
import org.nubes.identity.store.Assignment;
import org.nubes.identity.store.CatalogService;
import org.nubes.identity.store.Domain;
import org.nubes.identity.store.Endpoint;
import org.nubes.identity.store.IdentityStores;
import org.nubes.identity.store.Ids;
import org.nubes.identity.store.Project;
import org.nubes.identity.store.Region;
import org.nubes.identity.store.Role;
import org.nubes.identity.store.User;

/**
 * What keystone-manage bootstrap does, run at every start and changing only what is missing: the
 * Default domain, the admin and service projects, the roles and their implications, the admin
 * user, the service user, the region and a catalog entry with three endpoints per running service.
 */
public final class Bootstrap {
    public static final String DEFAULT_DOMAIN = "default";
    public static final String ADMIN_USER = "admin";
    public static final String SERVICE_USER = "nubes";
    public static final String ADMIN_PROJECT = "admin";
    public static final String SERVICE_PROJECT = "service";

    /** The admin project's id, and the passwords made on this start (null when the user already existed). */
    public record Result(String adminProjectId, String adminPassword, String servicePassword) {}

    private final IdentityStores stores;
    private final Passwords passwords;

    public Bootstrap(IdentityStores stores, Passwords passwords) {
        this.stores = stores;
        this.passwords = passwords;
    }

    public Result run(String region, String adminPassword, String servicePassword, List<CatalogEntry> catalog) {
        if (stores.domains().get(DEFAULT_DOMAIN).isEmpty()) {
            stores.domains().create(new Domain(DEFAULT_DOMAIN, "Default", "The default domain", true, Json.object()));
        }
        Role admin = role("admin");
        Role manager = role("manager");
        Role member = role("member");
        Role reader = role("reader");
        Role service = role("service");
        stores.roles().imply(admin.id(), manager.id());
        stores.roles().imply(manager.id(), member.id());
        stores.roles().imply(admin.id(), member.id());
        stores.roles().imply(member.id(), reader.id());

        Project adminProject = project(ADMIN_PROJECT, "Bootstrap project for initializing the cloud.");
        Project serviceProject = project(SERVICE_PROJECT, "Project of the cloud's own services.");

        String madeAdmin = null;
        User adminUser = stores.users().byName(DEFAULT_DOMAIN, ADMIN_USER).orElse(null);
        if (adminUser == null) {
            madeAdmin = adminPassword.isBlank() ? generatePassword() : adminPassword;
            adminUser = user(ADMIN_USER, madeAdmin, adminProject.id());
        }
        grant(adminUser.id(), Assignment.Scope.PROJECT, adminProject.id(), admin.id());
        grant(adminUser.id(), Assignment.Scope.SYSTEM, Assignment.SYSTEM_ALL, admin.id());
        grant(adminUser.id(), Assignment.Scope.DOMAIN, DEFAULT_DOMAIN, admin.id());

        String madeService = null;
        User serviceUser = stores.users().byName(DEFAULT_DOMAIN, SERVICE_USER).orElse(null);
        if (serviceUser == null) {
            madeService = servicePassword.isBlank() ? generatePassword() : servicePassword;
            serviceUser = user(SERVICE_USER, madeService, serviceProject.id());
        }
        grant(serviceUser.id(), Assignment.Scope.PROJECT, serviceProject.id(), admin.id());
        grant(serviceUser.id(), Assignment.Scope.PROJECT, serviceProject.id(), service.id());

        if (stores.catalog().region(region).isEmpty()) {
            stores.catalog().createRegion(new Region(region, "", null, Json.object()));
        }
        catalog.forEach(entry -> register(region, entry));
        return new Result(adminProject.id(), madeAdmin, madeService);
    }

    private Role role(String name) {
        return stores.roles().byName(name, null).orElseGet(() ->
                stores.roles().create(new Role(Ids.newId(), name, null, null, Json.object())));
    }

    private Project project(String name, String description) {
        return stores.projects().byName(DEFAULT_DOMAIN, name).orElseGet(() -> stores.projects().create(
                new Project(Ids.newId(), name, DEFAULT_DOMAIN, null, description, true, List.of(), Json.object())));
    }

    private User user(String name, String password, String defaultProject) {
        Instant now = Instant.now();
        return stores.users().create(new User(Ids.newId(), name, DEFAULT_DOMAIN, true, passwords.hash(password), now,
                defaultProject, Json.object(), now));
    }

    private void grant(String userId, Assignment.Scope scope, String target, String roleId) {
        stores.assignments().grant(new Assignment(Assignment.Actor.USER, userId, scope, target, roleId, false));
    }

    /** One service entry per type; its endpoints follow the URL the service runs at now. */
    private void register(String region, CatalogEntry entry) {
        CatalogService service = stores.catalog().services().stream()
                .filter(s -> s.type().equals(entry.type())).findFirst()
                .orElseGet(() -> {
                    ObjectNode extra = Json.object().put("name", entry.name()).put("description", "Nubes " + entry.type());
                    return stores.catalog().createService(new CatalogService(Ids.newId(), entry.type(), true, extra));
                });
        List<Endpoint> existing = stores.catalog().endpoints().stream()
                .filter(e -> e.serviceId().equals(service.id())).toList();
        for (String face : List.of("public", "internal", "admin")) {
            Endpoint endpoint = existing.stream().filter(e -> e.interfaceName().equals(face)).findFirst().orElse(null);
            if (endpoint == null) {
                stores.catalog().createEndpoint(new Endpoint(Ids.newId(), service.id(), face, region, entry.url(), true, Json.object()));
            } else if (!endpoint.url().equals(entry.url())) {
                stores.catalog().updateEndpoint(new Endpoint(endpoint.id(), endpoint.serviceId(), face, endpoint.regionId(),
                        entry.url(), endpoint.enabled(), endpoint.extra()));
            }
        }
    }

    static String generatePassword() {
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
