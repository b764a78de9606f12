package org.nubes.identity.service;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.nubes.core.http.ApiException;
import org.nubes.identity.IdentityConfig;
import org.nubes.identity.store.ApplicationCredential;
import org.nubes.identity.store.Domain;
import org.nubes.identity.store.IdentityStores;
import org.nubes.identity.store.Project;
import org.nubes.identity.store.RevocationEvent;
import org.nubes.identity.store.Role;
import org.nubes.identity.store.User;
import org.nubes.identity.token.InvalidTokenException;
import org.nubes.identity.token.Scope;
import org.nubes.identity.token.TokenCodec;
import org.nubes.identity.token.TokenPayload;

/**
 * Issues, validates and revokes tokens. Tokens are not stored: a token is valid when it decrypts
 * with a current key, has not expired, matches no revocation event, and its user, scope and roles
 * still resolve. Validations are cached per token until identity data changes.
 */
public final class Tokens {
    private final IdentityConfig config;
    private final IdentityStores stores;
    private final Directory directory;
    private final TokenCodec codec;
    /** Bounded so that a burst of issued tokens cannot fill the heap; a miss only costs a decode. */
    private final Cache<String, TokenData> validated = Caffeine.newBuilder().maximumSize(20_000).build();

    public Tokens(IdentityConfig config, IdentityStores stores, Directory directory, TokenCodec codec) {
        this.config = config;
        this.stores = stores;
        this.directory = directory;
        this.codec = codec;
    }

    /**
     * Issues a token. The Fernet timestamp (issued_at, whole seconds) is moved past any revocation
     * event of the same second that matches, so a token issued right after a password change is
     * not caught by the event meant for the tokens before it.
     */
    public TokenData issue(String userId, Set<String> methods, Scope scope, ApplicationCredential appCred,
                           Instant expiresAt, List<String> parentAuditIds) {
        Instant now = Instant.now();
        Instant expires = expiresAt != null ? expiresAt : now.plus(config.tokenExpiration()).truncatedTo(ChronoUnit.MICROS);
        if (appCred != null && appCred.expiresAt() != null && appCred.expiresAt().isBefore(expires)) {
            expires = appCred.expiresAt();
        }
        List<String> auditIds = new ArrayList<>();
        auditIds.add(TokenCodec.newAuditId());
        if (parentAuditIds != null && !parentAuditIds.isEmpty()) {
            auditIds.add(parentAuditIds.getLast());
        }
        TokenPayload payload = new TokenPayload(userId, methods, scope, expires, auditIds,
                appCred == null ? null : appCred.id());
        Snapshot snapshot = directory.current();
        Instant issuedAt = now.truncatedTo(ChronoUnit.SECONDS);
        for (RevocationEvent event : snapshot.revocations()) {
            if (matches(event, payload, snapshot) && !issuedAt.isAfter(event.issuedBefore())) {
                issuedAt = event.issuedBefore().truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
            }
        }
        String id = codec.encode(payload, issuedAt);
        TokenData data = resolve(id, payload, issuedAt, snapshot);
        validated.put(id, data);
        return data;
    }

    /** @throws ApiException 404 when the token is not (or no longer) valid, as Keystone answers */
    public TokenData validate(String token, boolean allowExpired) {
        TokenData cached = validated.getIfPresent(token);
        if (cached != null && cached.generation() == stores.changes().generation()) {
            checkExpiry(cached.expiresAt(), allowExpired);
            return cached;
        }
        TokenCodec.Decoded decoded;
        try {
            decoded = codec.decodeWithIssuedAt(token);
        } catch (InvalidTokenException | IllegalArgumentException e) {
            throw invalid();
        }
        checkExpiry(decoded.payload().expiresAt(), allowExpired);
        Snapshot snapshot = directory.current();
        for (RevocationEvent event : snapshot.revocations()) {
            if (matches(event, decoded.payload(), snapshot) && !decoded.issuedAt().isAfter(event.issuedBefore())) {
                throw invalid();
            }
        }
        TokenData data = resolve(token, decoded.payload(), decoded.issuedAt(), snapshot);
        validated.put(token, data);
        return data;
    }

    /** Revokes one token (and no other token of its user). */
    public void revoke(TokenData token) {
        stores.revocations().add(new RevocationEvent(null, null, null, token.payload().auditIds().getFirst(), Instant.now()));
        validated.invalidate(token.id());
    }

    public void revokeUser(String userId) {
        stores.revocations().add(new RevocationEvent(userId, null, null, null, Instant.now()));
    }

    public void revokeProject(String projectId) {
        stores.revocations().add(new RevocationEvent(null, projectId, null, null, Instant.now()));
    }

    public void revokeDomain(String domainId) {
        stores.revocations().add(new RevocationEvent(null, null, domainId, null, Instant.now()));
    }

    /** Drops revocation events no token still valid (even with allow_expired) can match. */
    public void pruneRevocations() {
        Instant oldest = Instant.now().minus(config.tokenExpiration()).minus(config.allowExpiredWindow());
        stores.revocations().prune(oldest);
    }

    private void checkExpiry(Instant expiresAt, boolean allowExpired) {
        Instant now = Instant.now();
        if (now.isAfter(expiresAt) && !(allowExpired && now.isBefore(expiresAt.plus(config.allowExpiredWindow())))) {
            throw invalid();
        }
    }

    private static boolean matches(RevocationEvent e, TokenPayload p, Snapshot snapshot) {
        if (e.userId() != null && !e.userId().equals(p.userId())) {
            return false;
        }
        if (e.auditId() != null && !p.auditIds().contains(e.auditId())) {
            return false;
        }
        if (e.projectId() != null && !(p.scope() instanceof Scope.Project(String projectId) && e.projectId().equals(projectId))) {
            return false;
        }
        if (e.domainId() != null) {
            boolean inDomain = switch (p.scope()) {
                case Scope.Domain(String domainId) -> e.domainId().equals(domainId);
                case Scope.Project(String projectId) -> snapshot.projects().containsKey(projectId)
                        && e.domainId().equals(snapshot.projects().get(projectId).domainId());
                default -> false;
            };
            if (!inDomain) {
                return false;
            }
        }
        return e.userId() != null || e.auditId() != null || e.projectId() != null || e.domainId() != null;
    }

    /** Looks up what the payload names; any of it gone, disabled or without roles invalidates the token. */
    private TokenData resolve(String id, TokenPayload payload, Instant issuedAt, Snapshot snapshot) {
        User user = directory.user(payload.userId()).filter(User::enabled).orElseThrow(Tokens::invalid);
        Domain userDomain = snapshot.domains().get(user.domainId());
        if (userDomain == null || !userDomain.enabled()) {
            throw invalid();
        }
        ApplicationCredential appCred = null;
        if (payload.applicationCredentialId() != null) {
            appCred = stores.credentials().applicationCredential(payload.applicationCredentialId())
                    .filter(a -> !a.isExpired(Instant.now()))
                    .orElseThrow(Tokens::invalid);
        }
        Project project = null;
        Domain scopeDomain = null;
        Set<String> roleIds = switch (payload.scope()) {
            case Scope.Unscoped u -> Set.of();
            case Scope.Project(String projectId) -> {
                project = snapshot.projects().get(projectId);
                if (project == null || !project.enabled()) {
                    throw invalid();
                }
                scopeDomain = snapshot.domains().get(project.domainId());
                if (scopeDomain == null || !scopeDomain.enabled()) {
                    throw invalid();
                }
                yield snapshot.projectRoles(user.id(), projectId);
            }
            case Scope.Domain(String domainId) -> {
                scopeDomain = snapshot.domains().get(domainId);
                if (scopeDomain == null || !scopeDomain.enabled()) {
                    throw invalid();
                }
                yield snapshot.domainRoles(user.id(), domainId);
            }
            case Scope.System s -> snapshot.systemRoles(user.id());
        };
        if (appCred != null) {
            roleIds = snapshot.withImplied(Set.copyOf(appCred.roleIds())).stream().filter(roleIds::contains)
                    .collect(java.util.stream.Collectors.toCollection(java.util.LinkedHashSet::new));
        }
        if (!(payload.scope() instanceof Scope.Unscoped) && roleIds.isEmpty()) {
            throw invalid();
        }
        List<Role> roles = roleIds.stream().map(snapshot.roles()::get).filter(Objects::nonNull)
                .sorted(Comparator.comparing(Role::name)).toList();
        return new TokenData(id, payload, issuedAt, user, userDomain, project, scopeDomain, roles, appCred,
                snapshot.generation());
    }

    private static ApiException invalid() {
        return ApiException.notFound("Failed to validate token");
    }
}
