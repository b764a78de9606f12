package org.nubes.identity.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nubes.core.config.DatabaseConfig;
import org.nubes.core.db.Database;
import org.nubes.core.http.ApiException;
import org.nubes.core.json.Json;
import org.nubes.core.testing.TestDatabases;
import org.nubes.identity.store.Assignment.Actor;
import org.nubes.identity.store.Assignment.Scope;

/** Every identity store, on the embedded H2 and on PostgreSQL, each test on a fresh database. */
class IdentityStoresTest {
    /** What both databases keep of an instant: microseconds. */
    private static final Instant T0 = Instant.parse("2025-03-30T01:30:00.123456Z");

    private Database database;
    private IdentityStores stores;

    static Stream<Named<DatabaseConfig>> databases() {
        return TestDatabases.named();
    }

    @AfterEach
    void close() {
        if (database != null) {
            database.close();
        }
    }

    private IdentityStores open(DatabaseConfig config) {
        database = Database.open(config);
        database.migrate("identity");
        stores = IdentityStores.open(database.jdbi());
        return stores;
    }

    // ----------------------------------------------------------------------------------- domains

    @ParameterizedTest
    @MethodSource("databases")
    void domainsAreCreatedReadUpdatedAndListed(DatabaseConfig config) {
        DomainStore domains = open(config).domains();
        Domain d = domains.create(new Domain(Ids.newId(), "engineering", "Builds things", true, extra("owner", "cto")));

        assertThat(domains.get(d.id())).contains(d);
        assertThat(domains.byName("engineering")).contains(d);
        assertThat(domains.get("missing")).isEmpty();
        assertThat(domains.byName("Engineering ")).isEmpty();

        Domain changed = new Domain(d.id(), "eng", null, false, extra("owner", "ceo"));
        domains.update(changed);
        assertThat(domains.get(d.id())).contains(changed);
        assertThat(domains.byName("engineering")).isEmpty();

        Domain other = domains.create(new Domain(Ids.newId(), "accounting", "", true, null));
        assertThat(domains.list()).extracting(Domain::name).containsExactly("accounting", "eng");
        assertThat(domains.get(other.id()).orElseThrow().extra()).isEqualTo(Json.object());
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aDuplicateDomainNameIs409(DatabaseConfig config) {
        DomainStore domains = open(config).domains();
        domains.create(new Domain(Ids.newId(), "one", null, true, null));
        Domain two = domains.create(new Domain(Ids.newId(), "two", null, true, null));

        assertConflict(() -> domains.create(new Domain(Ids.newId(), "one", null, true, null)), "one");
        assertConflict(() -> domains.update(new Domain(two.id(), "one", null, true, null)), "one");
        assertThat(domains.list()).extracting(Domain::name).containsExactly("one", "two");
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aDomainIsEmptyUntilSomethingLivesInIt(DatabaseConfig config) {
        IdentityStores s = open(config);
        Domain d = domain("d");
        assertThat(s.domains().isEmpty(d.id())).isTrue();

        Project p = project(d, "p", null);
        assertThat(s.domains().isEmpty(d.id())).isFalse();
        s.projects().delete(p.id());
        assertThat(s.domains().isEmpty(d.id())).isTrue();

        User u = user(d, "u");
        assertThat(s.domains().isEmpty(d.id())).isFalse();
        s.users().delete(u.id());

        Group g = group(d, "g");
        assertThat(s.domains().isEmpty(d.id())).isFalse();
        s.groups().delete(g.id());
        assertThat(s.domains().isEmpty(d.id())).isTrue();
    }

    @ParameterizedTest
    @MethodSource("databases")
    void deletingADomainRemovesEverythingInItAndEveryGrantOnIt(DatabaseConfig config) {
        IdentityStores s = open(config);
        Domain d = domain("doomed");
        Domain keep = domain("kept");
        Project p = project(d, "p", null);
        Project child = project(d, "child", p.id());
        User u = user(d, "u");
        Group g = group(d, "g");
        Role global = role("member", null);
        Role local = role("local", d.id());
        User outsider = user(keep, "outsider");
        Project kept = project(keep, "kept", null);
        s.groups().addMember(g.id(), outsider.id());
        s.assignments().grant(new Assignment(Actor.USER, u.id(), Scope.PROJECT, p.id(), global.id(), false));
        s.assignments().grant(new Assignment(Actor.USER, outsider.id(), Scope.PROJECT, child.id(), global.id(), false));
        s.assignments().grant(new Assignment(Actor.USER, outsider.id(), Scope.DOMAIN, d.id(), global.id(), true));
        s.assignments().grant(new Assignment(Actor.GROUP, g.id(), Scope.PROJECT, kept.id(), global.id(), false));
        s.assignments().grant(new Assignment(Actor.USER, outsider.id(), Scope.PROJECT, kept.id(), local.id(), false));
        Assignment survivor = new Assignment(Actor.USER, outsider.id(), Scope.PROJECT, kept.id(), global.id(), false);
        s.assignments().grant(survivor);

        s.domains().delete(d.id());

        assertThat(s.domains().get(d.id())).isEmpty();
        assertThat(s.projects().list()).extracting(Project::name).containsExactly("kept");
        assertThat(s.users().list()).extracting(User::name).containsExactly("outsider");
        assertThat(s.groups().list()).isEmpty();
        assertThat(s.groups().memberships()).isEmpty();
        assertThat(s.roles().list()).extracting(Role::name).containsExactly("member");
        assertThat(s.assignments().all()).containsExactly(survivor);
    }

    // ---------------------------------------------------------------------------------- projects

    @ParameterizedTest
    @MethodSource("databases")
    void projectsKeepTheirFieldsAndTags(DatabaseConfig config) {
        IdentityStores s = open(config);
        Domain d = domain("d");
        Project p = s.projects().create(new Project(Ids.newId(), "web", d.id(), null, "The web tier", true,
                List.of("prod", "blue"), extra("cost_center", "42")));
        Project q = project(d, "db", null);

        assertThat(s.projects().get(p.id())).contains(withTags(p, "blue", "prod"));
        assertThat(s.projects().get(q.id()).orElseThrow().tags()).isEmpty();
        assertThat(s.projects().byName(d.id(), "web")).contains(withTags(p, "blue", "prod"));
        assertThat(s.projects().byName(d.id(), "nope")).isEmpty();
        assertThat(s.projects().byName("other-domain", "web")).isEmpty();
        assertThat(s.projects().list()).extracting(Project::name).containsExactly("db", "web");

        Project changed = new Project(p.id(), "www", d.id(), null, null, false, List.of("green"), extra("cost_center", "7"));
        s.projects().update(changed);
        assertThat(s.projects().get(p.id())).contains(changed);

        s.projects().update(new Project(p.id(), "www", d.id(), null, null, false, List.of(), null));
        assertThat(s.projects().get(p.id()).orElseThrow().tags()).isEmpty();
        assertThat(count("SELECT COUNT(*) FROM project_tags")).isZero();
    }

    @ParameterizedTest
    @MethodSource("databases")
    void projectNamesAreUniqueWithinADomainOnly(DatabaseConfig config) {
        IdentityStores s = open(config);
        Domain d = domain("d");
        Domain e = domain("e");
        project(d, "web", null);
        Project other = project(d, "db", null);

        assertConflict(() -> project(d, "web", null), "web");
        assertConflict(() -> s.projects().update(new Project(other.id(), "web", d.id(), null, null, true, List.of(), null)),
                "web");
        assertThat(project(e, "web", null).domainId()).isEqualTo(e.id());
        assertThat(s.projects().get(other.id()).orElseThrow().name()).isEqualTo("db");
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aFailedProjectCreateLeavesNoTagsBehind(DatabaseConfig config) {
        IdentityStores s = open(config);
        Domain d = domain("d");
        project(d, "web", null);
        String id = Ids.newId();

        assertConflict(() -> s.projects().create(new Project(id, "web", d.id(), null, null, true, List.of("x"), null)), "web");

        assertThat(s.projects().get(id)).isEmpty();
        assertThat(count("SELECT COUNT(*) FROM project_tags")).isZero();
    }

    @ParameterizedTest
    @MethodSource("databases")
    void childrenAndSubtreeFollowTheHierarchy(DatabaseConfig config) {
        IdentityStores s = open(config);
        Domain d = domain("d");
        Project root = project(d, "root", null);
        Project a = project(d, "a", root.id());
        Project a1 = project(d, "a1", a.id());
        Project a11 = project(d, "a11", a1.id());
        Project b = project(d, "b", root.id());
        Project unrelated = project(d, "unrelated", null);

        assertThat(s.projects().children(root.id())).extracting(Project::id).containsExactly(a.id(), b.id());
        assertThat(s.projects().children(a11.id())).isEmpty();
        assertThat(s.projects().subtree(root.id())).extracting(Project::id).containsExactly(a.id(), a1.id(), a11.id(), b.id());
        assertThat(s.projects().subtree(a.id())).extracting(Project::id).containsExactly(a1.id(), a11.id());
        assertThat(s.projects().subtree(unrelated.id())).isEmpty();
        assertThat(s.projects().get(a1.id()).orElseThrow().parentId()).isEqualTo(a.id());
    }

    @ParameterizedTest
    @MethodSource("databases")
    void deletingAProjectRemovesItsTagsAndTheGrantsOnIt(DatabaseConfig config) {
        IdentityStores s = open(config);
        Domain d = domain("d");
        Project p = s.projects().create(new Project(Ids.newId(), "p", d.id(), null, null, true, List.of("t"), null));
        Project q = project(d, "q", null);
        User u = user(d, "u");
        Role r = role("member", null);
        s.assignments().grant(new Assignment(Actor.USER, u.id(), Scope.PROJECT, p.id(), r.id(), false));
        Assignment onQ = new Assignment(Actor.USER, u.id(), Scope.PROJECT, q.id(), r.id(), false);
        s.assignments().grant(onQ);

        s.projects().delete(p.id());

        assertThat(s.projects().get(p.id())).isEmpty();
        assertThat(count("SELECT COUNT(*) FROM project_tags")).isZero();
        assertThat(s.assignments().all()).containsExactly(onQ);
    }

    // ------------------------------------------------------------------------------------- users

    @ParameterizedTest
    @MethodSource("databases")
    void usersKeepEveryField(DatabaseConfig config) {
        IdentityStores s = open(config);
        Domain d = domain("d");
        Project p = project(d, "p", null);
        User alice = s.users().create(new User(Ids.newId(), "alice", d.id(), true, "$2a$04$hash", T0, p.id(),
                extra("email", "alice@example.com"), T0.minusSeconds(60)));
        User bob = s.users().create(new User(Ids.newId(), "bob", d.id(), false, null, null, null, null, T0));

        assertThat(s.users().get(alice.id())).contains(alice);
        assertThat(s.users().get(bob.id())).contains(new User(bob.id(), "bob", d.id(), false, null, null, null, Json.object(), T0));
        assertThat(s.users().byName(d.id(), "alice")).contains(alice);
        assertThat(s.users().byName("other", "alice")).isEmpty();
        assertThat(s.users().list()).extracting(User::name).containsExactly("alice", "bob");

        User changed = new User(alice.id(), "alice2", d.id(), false, "$2a$04$new", T0.plusSeconds(5), null, extra("a", "b"),
                alice.createdAt());
        s.users().update(changed);
        assertThat(s.users().get(alice.id())).contains(changed);
    }

    @ParameterizedTest
    @MethodSource("databases")
    void userNamesAreUniqueWithinADomainOnly(DatabaseConfig config) {
        IdentityStores s = open(config);
        Domain d = domain("d");
        Domain e = domain("e");
        user(d, "alice");
        User bob = user(d, "bob");

        assertConflict(() -> user(d, "alice"), "alice");
        assertConflict(() -> s.users().update(new User(bob.id(), "alice", d.id(), true, null, null, null, null, T0)), "alice");
        assertThat(user(e, "alice").domainId()).isEqualTo(e.id());
        assertThat(s.users().get(bob.id()).orElseThrow().name()).isEqualTo("bob");
    }

    @ParameterizedTest
    @MethodSource("databases")
    void deletingAUserRemovesItsAssignmentsMembershipsAndCredentials(DatabaseConfig config) {
        IdentityStores s = open(config);
        Domain d = domain("d");
        Project p = project(d, "p", null);
        User u = user(d, "u");
        User other = user(d, "other");
        Group g = group(d, "g");
        Role r = role("member", null);
        s.groups().addMember(g.id(), u.id());
        s.groups().addMember(g.id(), other.id());
        s.assignments().grant(new Assignment(Actor.USER, u.id(), Scope.PROJECT, p.id(), r.id(), false));
        s.assignments().grant(new Assignment(Actor.USER, u.id(), Scope.DOMAIN, d.id(), r.id(), true));
        s.assignments().grant(new Assignment(Actor.USER, u.id(), Scope.SYSTEM, Assignment.SYSTEM_ALL, r.id(), false));
        Assignment others = new Assignment(Actor.USER, other.id(), Scope.PROJECT, p.id(), r.id(), false);
        Assignment groups = new Assignment(Actor.GROUP, g.id(), Scope.PROJECT, p.id(), r.id(), false);
        s.assignments().grant(others);
        s.assignments().grant(groups);
        s.credentials().createApplicationCredential(appCred(u, p, "ci", List.of(r.id())));
        s.credentials().createCredential(new Credential(Ids.newId(), u.id(), p.id(), "ec2", "{\"access\": \"a\"}", null));

        s.users().delete(u.id());

        assertThat(s.users().get(u.id())).isEmpty();
        assertThat(s.assignments().all()).containsExactlyInAnyOrder(others, groups);
        assertThat(s.assignments().ofActors(List.of(u.id()))).isEmpty();
        assertThat(s.groups().memberships()).containsExactly(Map.entry(g.id(), other.id()));
        assertThat(s.credentials().applicationCredentialsOf(u.id())).isEmpty();
        assertThat(s.credentials().credentials()).isEmpty();
        assertThat(count("SELECT COUNT(*) FROM application_credential_roles")).isZero();
    }

    // ------------------------------------------------------------------------------------ groups

    @ParameterizedTest
    @MethodSource("databases")
    void groupsAreCreatedReadUpdatedAndListed(DatabaseConfig config) {
        IdentityStores s = open(config);
        Domain d = domain("d");
        Group g = s.groups().create(new Group(Ids.newId(), "admins", d.id(), "People who administer", extra("k", "v")));
        Group h = group(d, "devs");

        assertThat(s.groups().get(g.id())).contains(g);
        assertThat(s.groups().get("missing")).isEmpty();
        assertThat(s.groups().list()).containsExactly(g, h);

        Group changed = new Group(g.id(), "operators", d.id(), null, null);
        s.groups().update(changed);
        assertThat(s.groups().get(g.id())).contains(new Group(g.id(), "operators", d.id(), null, Json.object()));
    }

    @ParameterizedTest
    @MethodSource("databases")
    void groupNamesAreUniqueWithinADomainOnly(DatabaseConfig config) {
        IdentityStores s = open(config);
        Domain d = domain("d");
        Domain e = domain("e");
        group(d, "admins");
        Group devs = group(d, "devs");

        assertConflict(() -> group(d, "admins"), "admins");
        assertConflict(() -> s.groups().update(new Group(devs.id(), "admins", d.id(), null, null)), "admins");
        assertThat(group(e, "admins").domainId()).isEqualTo(e.id());
    }

    @ParameterizedTest
    @MethodSource("databases")
    void membershipsAreIdempotentAndQueryableBothWays(DatabaseConfig config) {
        IdentityStores s = open(config);
        Domain d = domain("d");
        Group admins = group(d, "admins");
        Group devs = group(d, "devs");
        User alice = user(d, "alice");
        User bob = user(d, "bob");

        s.groups().addMember(admins.id(), alice.id());
        s.groups().addMember(admins.id(), alice.id());
        s.groups().addMember(devs.id(), alice.id());
        s.groups().addMember(devs.id(), bob.id());

        assertThat(s.groups().memberships()).containsExactlyInAnyOrder(
                Map.entry(admins.id(), alice.id()), Map.entry(devs.id(), alice.id()), Map.entry(devs.id(), bob.id()));
        assertThat(s.groups().isMember(admins.id(), alice.id())).isTrue();
        assertThat(s.groups().isMember(admins.id(), bob.id())).isFalse();
        assertThat(s.groups().ofUser(alice.id())).extracting(Group::name).containsExactly("admins", "devs");
        assertThat(s.groups().ofUser(bob.id())).extracting(Group::name).containsExactly("devs");
        assertThat(s.users().inGroup(devs.id())).extracting(User::name).containsExactly("alice", "bob");
        assertThat(s.users().inGroup(admins.id())).extracting(User::name).containsExactly("alice");

        assertThat(s.groups().removeMember(admins.id(), alice.id())).isTrue();
        assertThat(s.groups().removeMember(admins.id(), alice.id())).isFalse();
        assertThat(s.groups().isMember(admins.id(), alice.id())).isFalse();
        assertThat(s.users().inGroup(admins.id())).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("databases")
    void deletingAGroupRemovesItsMembershipsAndAssignments(DatabaseConfig config) {
        IdentityStores s = open(config);
        Domain d = domain("d");
        Project p = project(d, "p", null);
        Group g = group(d, "g");
        User u = user(d, "u");
        Role r = role("member", null);
        s.groups().addMember(g.id(), u.id());
        s.assignments().grant(new Assignment(Actor.GROUP, g.id(), Scope.PROJECT, p.id(), r.id(), false));
        Assignment usersOwn = new Assignment(Actor.USER, u.id(), Scope.PROJECT, p.id(), r.id(), false);
        s.assignments().grant(usersOwn);

        s.groups().delete(g.id());

        assertThat(s.groups().get(g.id())).isEmpty();
        assertThat(s.groups().memberships()).isEmpty();
        assertThat(s.users().get(u.id())).isPresent();
        assertThat(s.assignments().all()).containsExactly(usersOwn);
    }

    // ------------------------------------------------------------------------------------- roles

    @ParameterizedTest
    @MethodSource("databases")
    void globalAndDomainRolesShareNamesButNotWithinTheirScope(DatabaseConfig config) {
        IdentityStores s = open(config);
        Domain d = domain("d");
        Domain e = domain("e");
        Role global = s.roles().create(new Role(Ids.newId(), "member", null, "Members", extra("immutable", "true")));
        Role local = role("member", d.id());
        Role otherLocal = role("member", e.id());

        assertThat(s.roles().get(global.id())).contains(global);
        assertThat(s.roles().get(local.id())).contains(local);
        assertThat(s.roles().get(global.id()).orElseThrow().domainId()).isNull();
        assertThat(s.roles().byName("member", null)).contains(global);
        assertThat(s.roles().byName("member", d.id())).contains(local);
        assertThat(s.roles().byName("member", e.id())).contains(otherLocal);
        assertThat(s.roles().byName("reader", null)).isEmpty();
        assertThat(s.roles().list()).hasSize(3);

        assertConflict(() -> role("member", null), "member");
        assertConflict(() -> role("member", d.id()), "member");
    }

    @ParameterizedTest
    @MethodSource("databases")
    void rolesAreUpdatedAndRenamesConflict(DatabaseConfig config) {
        IdentityStores s = open(config);
        role("admin", null);
        Role member = s.roles().create(new Role(Ids.newId(), "member", null, "Members", null));

        Role changed = new Role(member.id(), "_member_", null, "Old members", extra("x", "y"));
        s.roles().update(changed);
        assertThat(s.roles().get(member.id())).contains(changed);
        assertThat(s.roles().list()).extracting(Role::name).containsExactly("_member_", "admin");

        assertConflict(() -> s.roles().update(new Role(member.id(), "admin", null, null, null)), "admin");
    }

    @ParameterizedTest
    @MethodSource("databases")
    void implicationsAreIdempotentAndGoWithTheirRoles(DatabaseConfig config) {
        IdentityStores s = open(config);
        Role admin = role("admin", null);
        Role member = role("member", null);
        Role reader = role("reader", null);

        s.roles().imply(admin.id(), member.id());
        s.roles().imply(admin.id(), member.id());
        s.roles().imply(member.id(), reader.id());

        assertThat(s.roles().implications()).containsExactlyInAnyOrder(
                Map.entry(admin.id(), member.id()), Map.entry(member.id(), reader.id()));
        assertThat(s.roles().removeImplication(admin.id(), member.id())).isTrue();
        assertThat(s.roles().removeImplication(admin.id(), member.id())).isFalse();
        assertThat(s.roles().implications()).containsExactly(Map.entry(member.id(), reader.id()));

        s.roles().imply(admin.id(), reader.id());
        s.roles().delete(reader.id());
        assertThat(s.roles().get(reader.id())).isEmpty();
        assertThat(s.roles().implications()).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("databases")
    void deletingARoleRemovesItsAssignments(DatabaseConfig config) {
        IdentityStores s = open(config);
        Domain d = domain("d");
        Project p = project(d, "p", null);
        User u = user(d, "u");
        Role doomed = role("doomed", null);
        Role kept = role("kept", null);
        s.assignments().grant(new Assignment(Actor.USER, u.id(), Scope.PROJECT, p.id(), doomed.id(), false));
        Assignment survivor = new Assignment(Actor.USER, u.id(), Scope.PROJECT, p.id(), kept.id(), false);
        s.assignments().grant(survivor);

        s.roles().delete(doomed.id());

        assertThat(s.assignments().all()).containsExactly(survivor);
    }

    // ------------------------------------------------------------------------------- assignments

    @ParameterizedTest
    @MethodSource("databases")
    void grantsAreIdempotentAndDistinguishedByEveryField(DatabaseConfig config) {
        IdentityStores s = open(config);
        Domain d = domain("d");
        Project p = project(d, "p", null);
        User u = user(d, "u");
        Group g = group(d, "g");
        Role member = role("member", null);
        Role reader = role("reader", null);
        List<Assignment> grants = List.of(
                new Assignment(Actor.USER, u.id(), Scope.PROJECT, p.id(), member.id(), false),
                new Assignment(Actor.USER, u.id(), Scope.PROJECT, p.id(), reader.id(), false),
                new Assignment(Actor.USER, u.id(), Scope.DOMAIN, d.id(), member.id(), false),
                new Assignment(Actor.USER, u.id(), Scope.DOMAIN, d.id(), member.id(), true),
                new Assignment(Actor.USER, u.id(), Scope.SYSTEM, Assignment.SYSTEM_ALL, reader.id(), false),
                new Assignment(Actor.GROUP, g.id(), Scope.PROJECT, p.id(), member.id(), false),
                new Assignment(Actor.GROUP, g.id(), Scope.DOMAIN, d.id(), reader.id(), true),
                new Assignment(Actor.GROUP, g.id(), Scope.SYSTEM, Assignment.SYSTEM_ALL, member.id(), false));

        grants.forEach(s.assignments()::grant);
        grants.forEach(s.assignments()::grant);

        assertThat(s.assignments().all()).containsExactlyInAnyOrderElementsOf(grants);
        assertThat(grants).allSatisfy(a -> assertThat(s.assignments().exists(a)).as("%s", a).isTrue());
        assertThat(s.assignments().exists(new Assignment(Actor.USER, u.id(), Scope.PROJECT, p.id(), member.id(), true))).isFalse();
        assertThat(s.assignments().exists(new Assignment(Actor.GROUP, u.id(), Scope.PROJECT, p.id(), member.id(), false))).isFalse();
        assertThat(s.assignments().exists(new Assignment(Actor.USER, u.id(), Scope.DOMAIN, p.id(), member.id(), false))).isFalse();
    }

    @ParameterizedTest
    @MethodSource("databases")
    void assignmentsOfAUserAndItsGroups(DatabaseConfig config) {
        IdentityStores s = open(config);
        Domain d = domain("d");
        Project p = project(d, "p", null);
        User u = user(d, "u");
        User other = user(d, "other");
        Group g = group(d, "g");
        Role r = role("member", null);
        Assignment direct = new Assignment(Actor.USER, u.id(), Scope.PROJECT, p.id(), r.id(), false);
        Assignment viaGroup = new Assignment(Actor.GROUP, g.id(), Scope.DOMAIN, d.id(), r.id(), true);
        Assignment notMine = new Assignment(Actor.USER, other.id(), Scope.PROJECT, p.id(), r.id(), false);
        List.of(direct, viaGroup, notMine).forEach(s.assignments()::grant);

        assertThat(s.assignments().ofActors(List.of(u.id(), g.id()))).containsExactlyInAnyOrder(direct, viaGroup);
        assertThat(s.assignments().ofActors(List.of(u.id()))).containsExactly(direct);
        assertThat(s.assignments().ofActors(List.of())).isEmpty();
        assertThat(s.assignments().ofActors(List.of("nobody"))).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("databases")
    void revokeSaysWhetherThereWasAGrant(DatabaseConfig config) {
        IdentityStores s = open(config);
        Domain d = domain("d");
        Project p = project(d, "p", null);
        User u = user(d, "u");
        Role r = role("member", null);
        Assignment plain = new Assignment(Actor.USER, u.id(), Scope.PROJECT, p.id(), r.id(), false);
        Assignment inherited = new Assignment(Actor.USER, u.id(), Scope.PROJECT, p.id(), r.id(), true);
        s.assignments().grant(plain);
        s.assignments().grant(inherited);

        assertThat(s.assignments().revoke(plain)).isTrue();
        assertThat(s.assignments().revoke(plain)).isFalse();
        assertThat(s.assignments().exists(plain)).isFalse();
        assertThat(s.assignments().all()).containsExactly(inherited);
    }

    // ----------------------------------------------------------------------------------- catalog

    @ParameterizedTest
    @MethodSource("databases")
    void regionsAreStoredAndDuplicatesAre409(DatabaseConfig config) {
        CatalogStore catalog = open(config).catalog();
        Region one = catalog.createRegion(new Region("RegionOne", "", null, null));
        Region sub = catalog.createRegion(new Region("RegionOne-a", "Rack a", "RegionOne", extra("k", "v")));

        assertThat(catalog.region("RegionOne")).contains(new Region("RegionOne", "", null, Json.object()));
        assertThat(catalog.region(sub.id())).contains(sub);
        assertThat(catalog.regions()).extracting(Region::id).containsExactly("RegionOne", "RegionOne-a");
        assertConflict(() -> catalog.createRegion(new Region("RegionOne", "again", null, null)), "RegionOne");

        Region changed = new Region(sub.id(), "Rack A", null, null);
        catalog.updateRegion(changed);
        assertThat(catalog.region(sub.id())).contains(new Region(sub.id(), "Rack A", null, Json.object()));

        catalog.deleteRegion(one.id());
        assertThat(catalog.region(one.id())).isEmpty();
        assertThat(catalog.regions()).extracting(Region::id).containsExactly("RegionOne-a");
    }

    @ParameterizedTest
    @MethodSource("databases")
    void servicesAndEndpointsAreStoredAndGoTogether(DatabaseConfig config) {
        CatalogStore catalog = open(config).catalog();
        catalog.createRegion(new Region("RegionOne", "", null, null));
        CatalogService identity = catalog.createService(new CatalogService(Ids.newId(), "identity", true, extra("name", "keystone")));
        CatalogService compute = catalog.createService(new CatalogService(Ids.newId(), "compute", true, extra("name", "nova")));
        Endpoint pub = catalog.createEndpoint(new Endpoint(Ids.newId(), identity.id(), "public", "RegionOne",
                "http://127.0.0.1:5000/v3", true, null));
        Endpoint adm = catalog.createEndpoint(new Endpoint(Ids.newId(), identity.id(), "admin", "RegionOne",
                "http://127.0.0.1:5000/v3", true, extra("x", "y")));
        Endpoint novaPub = catalog.createEndpoint(new Endpoint(Ids.newId(), compute.id(), "public", null,
                "http://127.0.0.1:8774/v2.1", false, null));

        assertThat(catalog.service(identity.id())).contains(identity);
        assertThat(catalog.service(identity.id()).orElseThrow().name()).isEqualTo("keystone");
        assertThat(catalog.services()).extracting(CatalogService::type).containsExactly("compute", "identity");
        assertThat(catalog.endpoint(adm.id())).contains(adm);
        assertThat(catalog.endpoint(novaPub.id()).orElseThrow().regionId()).isNull();
        assertThat(catalog.endpoint(novaPub.id()).orElseThrow().enabled()).isFalse();
        assertThat(catalog.endpoints()).extracting(Endpoint::id).containsExactlyInAnyOrder(pub.id(), adm.id(), novaPub.id());

        CatalogService renamed = new CatalogService(identity.id(), "identity", false, extra("name", "nubes-identity"));
        catalog.updateService(renamed);
        assertThat(catalog.service(identity.id())).contains(renamed);
        Endpoint moved = new Endpoint(pub.id(), identity.id(), "internal", "RegionOne", "http://10.0.0.1:5000/v3", false,
                extra("a", "b"));
        catalog.updateEndpoint(moved);
        assertThat(catalog.endpoint(pub.id())).contains(moved);

        catalog.deleteEndpoint(adm.id());
        assertThat(catalog.endpoint(adm.id())).isEmpty();
        catalog.deleteService(identity.id());
        assertThat(catalog.service(identity.id())).isEmpty();
        assertThat(catalog.endpoints()).extracting(Endpoint::id).containsExactly(novaPub.id());
    }

    // ------------------------------------------------------------------------------- credentials

    @ParameterizedTest
    @MethodSource("databases")
    void applicationCredentialsKeepTheirRoles(DatabaseConfig config) {
        IdentityStores s = open(config);
        Domain d = domain("d");
        Project p = project(d, "p", null);
        User u = user(d, "u");
        User other = user(d, "other");
        Role member = role("member", null);
        Role reader = role("reader", null);
        ApplicationCredential ci = s.credentials().createApplicationCredential(new ApplicationCredential(Ids.newId(), "ci",
                u.id(), p.id(), "$2a$04$secret", "For CI", T0.plusSeconds(3600), false, T0, List.of(member.id(), reader.id())));
        ApplicationCredential backup = s.credentials().createApplicationCredential(appCred(u, p, "backup", List.of(reader.id())));
        ApplicationCredential others = s.credentials().createApplicationCredential(appCred(other, p, "ci", List.of()));

        ApplicationCredential read = s.credentials().applicationCredential(ci.id()).orElseThrow();
        assertThat(read).usingRecursiveComparison().ignoringFields("roleIds").isEqualTo(ci);
        assertThat(read.roleIds()).containsExactlyInAnyOrder(member.id(), reader.id());
        assertThat(s.credentials().applicationCredential(backup.id()).orElseThrow().expiresAt()).isNull();
        assertThat(s.credentials().applicationCredential(backup.id()).orElseThrow().roleIds()).containsExactly(reader.id());
        assertThat(s.credentials().applicationCredential(others.id()).orElseThrow().roleIds()).isEmpty();
        assertThat(s.credentials().applicationCredential("missing")).isEmpty();
        assertThat(s.credentials().applicationCredentialsOf(u.id())).extracting(ApplicationCredential::name)
                .containsExactly("backup", "ci");
        assertThat(read.isExpired(T0)).isFalse();
        assertThat(read.isExpired(T0.plusSeconds(3600))).isTrue();

        s.credentials().deleteApplicationCredential(ci.id());
        assertThat(s.credentials().applicationCredential(ci.id())).isEmpty();
        assertThat(count("SELECT COUNT(*) FROM application_credential_roles")).isEqualTo(1);
    }

    @ParameterizedTest
    @MethodSource("databases")
    void applicationCredentialNamesAreUniquePerUser(DatabaseConfig config) {
        IdentityStores s = open(config);
        Domain d = domain("d");
        Project p = project(d, "p", null);
        User u = user(d, "u");
        Role r = role("member", null);
        s.credentials().createApplicationCredential(appCred(u, p, "ci", List.of(r.id())));
        ApplicationCredential duplicate = appCred(u, p, "ci", List.of(r.id()));

        assertConflict(() -> s.credentials().createApplicationCredential(duplicate), "application_credential");
        assertThat(s.credentials().applicationCredential(duplicate.id())).isEmpty();
        assertThat(count("SELECT COUNT(*) FROM application_credential_roles")).isEqualTo(1);
    }

    @ParameterizedTest
    @MethodSource("databases")
    void ec2CredentialsAreStored(DatabaseConfig config) {
        IdentityStores s = open(config);
        Domain d = domain("d");
        Project p = project(d, "p", null);
        User u = user(d, "u");
        Credential c = s.credentials().createCredential(new Credential("c1", u.id(), p.id(), "ec2",
                "{\"access\": \"a\", \"secret\": \"s\"}", extra("k", "v")));
        Credential totp = s.credentials().createCredential(new Credential("c2", u.id(), null, "totp", "seed", null));

        assertThat(s.credentials().credential("c1")).contains(c);
        assertThat(s.credentials().credential("c2")).contains(new Credential("c2", u.id(), null, "totp", "seed", Json.object()));
        assertThat(s.credentials().credentials()).extracting(Credential::id).containsExactly("c1", "c2");
        assertConflict(() -> s.credentials().createCredential(new Credential("c1", u.id(), null, "ec2", "{}", null)), "c1");

        Credential changed = new Credential("c1", u.id(), null, "ec2", "{\"access\": \"b\"}", null);
        s.credentials().updateCredential(changed);
        assertThat(s.credentials().credential("c1")).contains(new Credential("c1", u.id(), null, "ec2", "{\"access\": \"b\"}",
                Json.object()));

        s.credentials().deleteCredential(totp.id());
        assertThat(s.credentials().credential(totp.id())).isEmpty();
        assertThat(s.credentials().credentials()).hasSize(1);
    }

    // ------------------------------------------------------------------------------- revocations

    @ParameterizedTest
    @MethodSource("databases")
    void revocationEventsAreKeptUntilPruned(DatabaseConfig config) {
        RevocationStore revocations = open(config).revocations();
        RevocationEvent byUser = new RevocationEvent("u1", null, null, null, T0);
        RevocationEvent byAudit = new RevocationEvent(null, null, null, "audit-1", T0.plusSeconds(10));
        RevocationEvent byScope = new RevocationEvent("u2", "p1", "d1", null, T0.plusSeconds(20));

        revocations.add(byUser);
        revocations.add(byAudit);
        revocations.add(byScope);
        revocations.add(byUser);

        assertThat(revocations.all()).containsExactlyInAnyOrder(byUser, byAudit, byScope, byUser);

        revocations.prune(T0.plusSeconds(10));
        assertThat(revocations.all()).containsExactlyInAnyOrder(byAudit, byScope);
        revocations.prune(T0.plusSeconds(21));
        assertThat(revocations.all()).isEmpty();
    }

    /**
     * Times are instants: what one node writes, another node in another time zone reads back
     * unchanged, and the two instants of a daylight-saving fall-back hour stay apart.
     */
    @ParameterizedTest
    @MethodSource("databases")
    void timesDoNotDependOnTheJvmTimeZone(DatabaseConfig config) {
        IdentityStores s = open(config);
        Domain d = domain("d");
        Project p = project(d, "p", null);
        Instant first = Instant.parse("2025-10-26T00:30:00.000001Z");  // 02:30 CEST in Berlin
        Instant second = Instant.parse("2025-10-26T01:30:00.000002Z"); // 02:30 CET in Berlin
        TimeZone saved = TimeZone.getDefault();
        User u;
        ApplicationCredential ac;
        try {
            TimeZone.setDefault(TimeZone.getTimeZone("Europe/Berlin"));
            s.revocations().add(new RevocationEvent("u1", null, null, null, first));
            s.revocations().add(new RevocationEvent("u2", null, null, null, second));
            u = s.users().create(new User(Ids.newId(), "u", d.id(), true, null, first, null, Json.object(), second));
            TimeZone.setDefault(TimeZone.getTimeZone("America/Los_Angeles"));
            ac = s.credentials().createApplicationCredential(new ApplicationCredential(Ids.newId(), "ac", u.id(), p.id(),
                    "$2a$04$hash", null, second, true, first, List.of()));
            TimeZone.setDefault(TimeZone.getTimeZone("UTC"));

            assertThat(s.revocations().all()).containsExactlyInAnyOrder(
                    new RevocationEvent("u1", null, null, null, first), new RevocationEvent("u2", null, null, null, second));
            assertThat(s.users().get(u.id())).contains(u);
            ApplicationCredential read = s.credentials().applicationCredential(ac.id()).orElseThrow();
            assertThat(read.createdAt()).isEqualTo(first);
            assertThat(read.expiresAt()).isEqualTo(second);

            TimeZone.setDefault(TimeZone.getTimeZone("Asia/Kolkata"));
            s.revocations().prune(second);
            assertThat(s.revocations().all()).extracting(RevocationEvent::userId).containsExactly("u2");
        } finally {
            TimeZone.setDefault(saved);
            org.h2.util.DateTimeUtils.resetCalendar();
        }
    }

    /** Both databases keep microseconds; the rest is cut, never rounded up past the time given. */
    @ParameterizedTest
    @MethodSource("databases")
    void timesKeepMicrosecondsAndAreNeverRoundedUp(DatabaseConfig config) {
        IdentityStores s = open(config);
        Domain d = domain("d");
        Project p = project(d, "p", null);
        User u = user(d, "u");
        Instant expiry = T0.plusNanos(999);

        ApplicationCredential ac = s.credentials().createApplicationCredential(new ApplicationCredential(Ids.newId(), "ac",
                u.id(), p.id(), "$2a$04$hash", null, expiry, true, T0.plusNanos(500), List.of()));
        s.revocations().add(new RevocationEvent(u.id(), null, null, null, T0.plusNanos(999)));

        ApplicationCredential read = s.credentials().applicationCredential(ac.id()).orElseThrow();
        assertThat(read.expiresAt()).isEqualTo(T0).isBeforeOrEqualTo(expiry);
        assertThat(read.createdAt()).isEqualTo(T0);
        assertThat(s.revocations().all()).extracting(RevocationEvent::issuedBefore).containsExactly(T0);
    }

    // ----------------------------------------------------------------------------------- changes

    @ParameterizedTest
    @MethodSource("databases")
    void everyWriteMovesTheGenerationAndNoReadDoes(DatabaseConfig config) {
        IdentityStores s = open(config);
        Changes changes = s.changes();
        Domain d = new Domain(Ids.newId(), "d", null, true, null);
        Domain e = new Domain(Ids.newId(), "e", null, true, null);
        Project p = new Project(Ids.newId(), "p", d.id(), null, null, true, List.of("t"), null);
        User u = new User(Ids.newId(), "u", d.id(), true, null, null, null, null, T0);
        Group g = new Group(Ids.newId(), "g", d.id(), null, null);
        Role r = new Role(Ids.newId(), "r", null, null, null);
        Role r2 = new Role(Ids.newId(), "r2", null, null, null);
        Assignment a = new Assignment(Actor.USER, u.id(), Scope.PROJECT, p.id(), r.id(), false);
        CatalogService svc = new CatalogService(Ids.newId(), "identity", true, null);
        Endpoint ep = new Endpoint(Ids.newId(), svc.id(), "public", null, "http://x", true, null);
        Region region = new Region("R", "", null, null);
        ApplicationCredential ac = appCred(u, p, "ac", List.of(r.id()));
        Credential c = new Credential(Ids.newId(), u.id(), null, "ec2", "{}", null);

        Map<String, Runnable> writes = new LinkedHashMap<>();
        writes.put("create domain", () -> s.domains().create(d));
        writes.put("create domain e", () -> s.domains().create(e));
        writes.put("update domain", () -> s.domains().update(d));
        writes.put("create project", () -> s.projects().create(p));
        writes.put("update project", () -> s.projects().update(p));
        writes.put("create user", () -> s.users().create(u));
        writes.put("update user", () -> s.users().update(u));
        writes.put("create group", () -> s.groups().create(g));
        writes.put("update group", () -> s.groups().update(g));
        writes.put("add member", () -> s.groups().addMember(g.id(), u.id()));
        writes.put("add member again", () -> s.groups().addMember(g.id(), u.id()));
        writes.put("remove member", () -> s.groups().removeMember(g.id(), u.id()));
        writes.put("create role", () -> s.roles().create(r));
        writes.put("create role 2", () -> s.roles().create(r2));
        writes.put("update role", () -> s.roles().update(r));
        writes.put("imply", () -> s.roles().imply(r.id(), r2.id()));
        writes.put("remove implication", () -> s.roles().removeImplication(r.id(), r2.id()));
        writes.put("grant", () -> s.assignments().grant(a));
        writes.put("revoke", () -> s.assignments().revoke(a));
        writes.put("create region", () -> s.catalog().createRegion(region));
        writes.put("update region", () -> s.catalog().updateRegion(region));
        writes.put("create service", () -> s.catalog().createService(svc));
        writes.put("update service", () -> s.catalog().updateService(svc));
        writes.put("create endpoint", () -> s.catalog().createEndpoint(ep));
        writes.put("update endpoint", () -> s.catalog().updateEndpoint(ep));
        writes.put("delete endpoint", () -> s.catalog().deleteEndpoint(ep.id()));
        writes.put("delete service", () -> s.catalog().deleteService(svc.id()));
        writes.put("delete region", () -> s.catalog().deleteRegion(region.id()));
        writes.put("create application credential", () -> s.credentials().createApplicationCredential(ac));
        writes.put("delete application credential", () -> s.credentials().deleteApplicationCredential(ac.id()));
        writes.put("create credential", () -> s.credentials().createCredential(c));
        writes.put("update credential", () -> s.credentials().updateCredential(c));
        writes.put("delete credential", () -> s.credentials().deleteCredential(c.id()));
        writes.put("add revocation", () -> s.revocations().add(new RevocationEvent(u.id(), null, null, null, T0)));
        writes.put("delete group", () -> s.groups().delete(g.id()));
        writes.put("delete role", () -> s.roles().delete(r2.id()));
        writes.put("delete user", () -> s.users().delete(u.id()));
        writes.put("delete project", () -> s.projects().delete(p.id()));
        writes.put("delete domain", () -> s.domains().delete(e.id()));

        List<String> stale = new ArrayList<>();
        for (Map.Entry<String, Runnable> write : writes.entrySet()) {
            long before = changes.generation();
            write.getValue().run();
            if (changes.generation() <= before) {
                stale.add(write.getKey());
            }
            long afterWrite = changes.generation();
            readEverything(s, d, u, g);
            assertThat(changes.generation()).as("reads after %s", write.getKey()).isEqualTo(afterWrite);
        }
        assertThat(stale).as("writes that did not move the generation").isEmpty();
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aRefusedWriteChangesNothing(DatabaseConfig config) {
        IdentityStores s = open(config);
        domain("d");
        long before = s.changes().generation();

        assertConflict(() -> domain("d"), "d");

        assertThat(s.changes().generation()).isEqualTo(before);
        assertThat(s.domains().list()).hasSize(1);
    }

    // ----------------------------------------------------------------------------------- helpers

    private static void readEverything(IdentityStores s, Domain d, User u, Group g) {
        s.domains().list();
        s.domains().get(d.id());
        s.domains().byName(d.name());
        s.domains().isEmpty(d.id());
        s.projects().list();
        s.projects().subtree("x");
        s.users().list();
        s.users().inGroup(g.id());
        s.groups().list();
        s.groups().ofUser(u.id());
        s.groups().memberships();
        s.roles().list();
        s.roles().implications();
        s.assignments().all();
        s.assignments().ofActors(List.of(u.id()));
        s.catalog().regions();
        s.catalog().services();
        s.catalog().endpoints();
        s.credentials().applicationCredentialsOf(u.id());
        s.credentials().credentials();
        s.revocations().all();
    }

    private Domain domain(String name) {
        return stores.domains().create(new Domain(Ids.newId(), name, null, true, Json.object()));
    }

    private Project project(Domain d, String name, String parentId) {
        return stores.projects().create(new Project(Ids.newId(), name, d.id(), parentId, null, true, List.of(), Json.object()));
    }

    private User user(Domain d, String name) {
        return stores.users().create(new User(Ids.newId(), name, d.id(), true, null, null, null, Json.object(), T0));
    }

    private Group group(Domain d, String name) {
        return stores.groups().create(new Group(Ids.newId(), name, d.id(), null, Json.object()));
    }

    private Role role(String name, String domainId) {
        return stores.roles().create(new Role(Ids.newId(), name, domainId, null, Json.object()));
    }

    private static ApplicationCredential appCred(User u, Project p, String name, List<String> roleIds) {
        return new ApplicationCredential(Ids.newId(), name, u.id(), p.id(), "$2a$04$hash", null, null, true, T0, roleIds);
    }

    private static Project withTags(Project p, String... tags) {
        return new Project(p.id(), p.name(), p.domainId(), p.parentId(), p.description(), p.enabled(), List.of(tags), p.extra());
    }

    private static ObjectNode extra(String key, String value) {
        return Json.object().put(key, value);
    }

    private long count(String sql) {
        return database.jdbi().withHandle(h -> h.createQuery(sql).mapTo(Long.class).one());
    }

    private static void assertConflict(ThrowingCallable write, String mentioned) {
        assertThatThrownBy(write)
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ApiException.Kind.CONFLICT);
                    assertThat(e.status()).isEqualTo(409);
                    assertThat(e.getMessage()).contains(mentioned);
                });
    }
}
