package org.nubes.objectstore.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.nubes.core.auth.Access;
import org.nubes.core.auth.AuthContext;
import org.nubes.core.auth.TokenValidator;
import org.nubes.core.http.ApiException;
import org.nubes.core.http.Http;
import org.nubes.core.http.Routes;
import org.nubes.core.json.Json;
import org.nubes.objectstore.ObjectStoreConfig;
import org.nubes.objectstore.disk.Timestamp;
import org.nubes.objectstore.service.Acl;
import org.nubes.objectstore.service.Listing;
import org.nubes.objectstore.service.Objects;
import org.nubes.objectstore.service.SwiftError;
import org.nubes.objectstore.service.TempUrl;
import org.nubes.objectstore.service.Versions;
import org.nubes.objectstore.store.AccountRow;
import org.nubes.objectstore.store.ContainerRow;
import org.nubes.objectstore.store.ListingStore;

/**
 * Swift's v1 API: /info, accounts and containers here, objects in {@link ObjectApi}.
 *
 * <p>Every route is public to the core's HTTP layer because Swift decides access per container
 * (ACLs may let anonymous callers read): {@link #caller} validates a token when there is one, and
 * each handler asks {@link #requireOwner}, {@link #requireRead} or {@link #requireWrite}, as
 * keystoneauth does. Errors are {@link SwiftError}s rendered in one place, {@link #swift}, in
 * Swift's text/html form rather than the JSON faults of the other services.
 */
public final class SwiftApi {
    static final String RESELLER_PREFIX = "AUTH_";
    private static final String CALLER = "objectstore.caller";
    static final String TEMP_URL = "objectstore.tempurl";
    private static final String HTML = "text/html; charset=UTF-8";
    /** Roles that make a project's user the owner of its account (keystoneauth's operator_roles). */
    private static final List<String> OPERATOR_ROLES = List.of("admin", "member");

    private final ObjectStoreConfig config;
    private final ListingStore listings;
    private final TokenValidator tokens;
    private final ObjectApi objects;
    private final Bulk bulk;

    public SwiftApi(ObjectStoreConfig config, ListingStore listings, Objects objects, TokenValidator tokens) {
        this.config = config;
        this.listings = listings;
        this.tokens = tokens;
        this.objects = new ObjectApi(this, listings, objects, config);
        this.bulk = new Bulk(this, this.objects);
    }

    public void register(Routes routes) {
        routes.get("/info", Access.PUBLIC, swift(this::info));
        for (String account : List.of("/v1/{account}", "/v1/{account}/")) {
            routes.getAndHead(account, Access.PUBLIC, swift(this::getAccount));
            routes.post(account, Access.PUBLIC, swift(this::postAccount));
            routes.put(account, Access.PUBLIC, swift(this::putAccount));
            routes.delete(account, Access.PUBLIC, swift(this::deleteAccount));
        }
        for (String container : List.of("/v1/{account}/{container}", "/v1/{account}/{container}/")) {
            routes.getAndHead(container, Access.PUBLIC, swift(this::getContainer));
            routes.put(container, Access.PUBLIC, swift(this::putContainer));
            routes.post(container, Access.PUBLIC, swift(this::postContainer));
            routes.delete(container, Access.PUBLIC, swift(this::deleteContainer));
        }
        String object = "/v1/{account}/{container}/<object>";
        routes.getAndHead(object, Access.PUBLIC, swift(objects::get));
        routes.put(object, Access.PUBLIC, swift(objects::put));
        routes.post(object, Access.PUBLIC, swift(objects::post));
        routes.delete(object, Access.PUBLIC, swift(objects::delete));
        routes.method("COPY", object, Access.PUBLIC, swift(objects::copyMethod));
    }

    /**
     * Runs a handler the Swift way: a transaction id (tx..., in X-Trans-Id and
     * X-Openstack-Request-Id, and in the access log), and errors as Swift's text/html answers.
     */
    private static Handler swift(Handler handler) {
        return ctx -> {
            String txId = transactionId();
            ctx.attribute(Http.REQUEST_ID, txId);
            ctx.header("X-Trans-Id", txId);
            ctx.header("X-Openstack-Request-Id", txId);
            try {
                handler.handle(ctx);
            } catch (java.io.IOException e) {
                if (!ctx.res().isCommitted()) {
                    throw e;
                }
                // Writing an object to a client that went away: nothing left to answer.
            } catch (SwiftError e) {
                if (ctx.res().isCommitted()) {
                    throw e;  // part of an answer is on the wire: only dropping the connection is left
                }
                ctx.res().reset();
                ctx.header("X-Trans-Id", txId);
                ctx.header("X-Openstack-Request-Id", txId);
                e.headers().forEach(ctx::header);
                if (e.status() == 401) {
                    ctx.header("WWW-Authenticate", "Swift realm=\"unknown\"");
                }
                text(ctx, e.status(), e.body());
            }
        };
    }

    /** Swift's form: "tx" + 21 hex digits + "-" + the time in hex. */
    private static String transactionId() {
        byte[] random = new byte[11];
        ThreadLocalRandom.current().nextBytes(random);
        return "tx" + HexFormat.of().formatHex(random).substring(0, 21) + "-" + "%010x".formatted(System.currentTimeMillis() / 1000);
    }

    /** A small text/html answer with its Content-Length (also the form of every empty success). */
    static void text(Context ctx, int status, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ctx.status(status).contentType(HTML);
        ctx.header("Content-Length", Integer.toString(bytes.length));
        if (bytes.length > 0) {
            body(ctx, bytes);
        }
    }

    /**
     * Sets a small answer's body with the Content-Length already given: compression is off for it,
     * as Javalin's would change the length under a declared Content-Length (Swift does not compress).
     */
    static void body(Context ctx, byte[] bytes) {
        ctx.disableCompression();
        ctx.result(bytes);
    }

    static void empty(Context ctx, int status) {
        text(ctx, status, "");
    }

    /** 202 with the short HTML body Swift gives it. */
    static void accepted(Context ctx) {
        text(ctx, 202, "<html><h1>Accepted</h1><p>The request is accepted for processing.</p></html>");
    }

    // ---- auth

    /** The caller of a request with a valid token; null without a token; 401 with an invalid one. */
    AuthContext caller(Context ctx) {
        if (ctx.attribute(CALLER) instanceof AuthContext known) {
            return known;
        }
        String token = ctx.header("X-Auth-Token");
        if (token == null || token.isBlank()) {
            return null;
        }
        try {
            AuthContext caller = tokens.validate(token.strip());
            ctx.attribute(CALLER, caller);
            return caller;
        } catch (ApiException e) {
            if (e.kind() == ApiException.Kind.UNAUTHORIZED) {
                throw SwiftError.of(401);
            }
            throw e;
        }
    }

    /** 411 unless the request's body has a Content-Length or comes chunked. */
    static void requireLength(Context ctx) {
        String transfer = ctx.header("Transfer-Encoding");
        if (ctx.req().getContentLengthLong() < 0 && (transfer == null || !transfer.toLowerCase(Locale.ROOT).contains("chunked"))) {
            throw SwiftError.of(411);
        }
    }

    /** The account name from the path; 400 when it is not one of this reseller's. */
    static String account(Context ctx) {
        String account = ctx.pathParam("account");
        if (!account.startsWith(RESELLER_PREFIX) || account.length() == RESELLER_PREFIX.length()) {
            throw SwiftError.of(404);
        }
        return account;
    }

    /** keystoneauth: an operator role on the account's project. */
    boolean isOwner(Context ctx, String account) {
        AuthContext caller = caller(ctx);
        return caller != null && caller.projectId() != null && account.equals(RESELLER_PREFIX + caller.projectId())
                && OPERATOR_ROLES.stream().anyMatch(caller::hasRole);
    }

    void requireOwner(Context ctx, String account) {
        if (!isOwner(ctx, account)) {
            throw denied(ctx);
        }
    }

    /** Read access to a container's objects (listing: to its listing) by ownership or its read ACL. */
    void requireRead(Context ctx, String account, ContainerRow container, boolean listing) {
        if (!listing && tempUrl(ctx, account, container)) {
            return;
        }
        if (isOwner(ctx, account)) {
            return;
        }
        Acl acl = Acl.parse(container == null ? null : container.readAcl());
        if (acl.publicRead(listing) || acl.grants(caller(ctx))) {
            return;
        }
        throw denied(ctx);
    }

    void requireWrite(Context ctx, String account, ContainerRow container) {
        if (tempUrl(ctx, account, container)) {
            return;
        }
        if (isOwner(ctx, account)) {
            return;
        }
        if (Acl.parse(container == null ? null : container.writeAcl()).grants(caller(ctx))) {
            return;
        }
        throw denied(ctx);
    }

    /**
     * Whether a request is allowed by its temporary URL (temp_url_sig and temp_url_expires), checked
     * once against the account's and the request container's Temp-URL keys; false without one.
     */
    boolean tempUrl(Context ctx, String account, ContainerRow container) {
        if (ctx.attribute(TEMP_URL) instanceof Boolean known) {
            return known;
        }
        String signature = ctx.queryParam("temp_url_sig");
        String expires = ctx.queryParam("temp_url_expires");
        if (signature == null && expires == null) {
            return false;
        }
        if (!ctx.pathParamMap().containsKey("object")) {
            throw SwiftError.text(401, "401 Unauthorized: Temp URL invalid\n");
        }
        List<String> keys = new java.util.ArrayList<>();
        Map<String, String> accountMeta = listings.account(account, Timestamp.now().toString()).metadata();
        for (String key : List.of("X-Account-Meta-Temp-Url-Key", "X-Account-Meta-Temp-Url-Key-2")) {
            if (accountMeta.get(key) != null) {
                keys.add(accountMeta.get(key));
            }
        }
        ContainerRow own = listings.container(account, containerName(ctx)).orElse(null);
        if (own != null) {
            for (String key : List.of("X-Container-Meta-Temp-Url-Key", "X-Container-Meta-Temp-Url-Key-2")) {
                if (own.metadata().get(key) != null) {
                    keys.add(own.metadata().get(key));
                }
            }
        }
        String prefix = ctx.queryParam("temp_url_prefix");
        String objectPath = "/v1/" + account + "/" + containerName(ctx) + "/";
        String object = ctx.pathParam("object");
        String path;
        if (prefix != null) {
            if (!object.startsWith(prefix)) {
                throw SwiftError.text(401, "401 Unauthorized: Temp URL invalid\n");
            }
            path = objectPath + prefix;
        } else {
            path = objectPath + object;
        }
        TempUrl.check(ctx.method().name(), path, prefix, signature, expires, keys, System.currentTimeMillis() / 1000);
        ctx.attribute(TEMP_URL, Boolean.TRUE);
        return true;
    }

    /** 401 to an anonymous caller, 403 to one with a token. */
    private SwiftError denied(Context ctx) {
        return SwiftError.of(caller(ctx) == null ? 401 : 403);
    }

    // ---- /info

    private void info(Context ctx) {
        ObjectNode body = Json.object();
        ObjectNode swift = body.putObject("swift");
        swift.put("version", "2.35.0");
        swift.put("max_file_size", config.maxFileSize());
        swift.put("account_listing_limit", config.listingLimit());
        swift.put("container_listing_limit", config.listingLimit());
        swift.put("max_account_name_length", 256);
        swift.put("max_container_name_length", ObjectApi.MAX_CONTAINER_NAME);
        swift.put("max_object_name_length", ObjectApi.MAX_OBJECT_NAME);
        swift.put("max_meta_name_length", Headers.MAX_META_NAME);
        swift.put("max_meta_value_length", Headers.MAX_META_VALUE);
        swift.put("max_meta_count", Headers.MAX_META_COUNT);
        swift.put("max_meta_overall_size", Headers.MAX_META_OVERALL);
        swift.put("max_header_size", 8192);
        swift.put("extra_header_count", 0);
        swift.put("account_autocreate", true);
        swift.put("allow_account_management", false);
        swift.put("strict_cors_mode", true);
        swift.putArray("valid_api_versions").add("v1").add("v1.0");
        swift.putArray("policies").addObject().put("name", "Policy-0").put("aliases", "Policy-0").put("default", true);
        body.putObject("keystoneauth");
        ObjectNode slo = body.putObject("slo");
        slo.put("max_manifest_segments", LargeObjects.MAX_MANIFEST_SEGMENTS);
        slo.put("max_manifest_size", LargeObjects.MAX_MANIFEST_SIZE);
        slo.put("min_segment_size", 1);
        body.putObject("dlo").put("max_segments", LargeObjects.DLO_MAX_SEGMENTS);
        body.putObject("container_quotas");
        ObjectNode tempurl = body.putObject("tempurl");
        TempUrl.METHODS.forEach(tempurl.putArray("methods")::add);
        tempurl.putArray("incoming_remove_headers").add("x-timestamp");
        tempurl.putArray("incoming_allow_headers");
        tempurl.putArray("outgoing_remove_headers").add("x-object-meta-*");
        tempurl.putArray("outgoing_allow_headers").add("x-object-meta-public-*");
        TempUrl.DIGESTS.forEach(tempurl.putArray("allowed_digests")::add);
        body.putObject("versioned_writes").putArray("allowed_flags").add("x-versions-location").add("x-history-location");
        body.putObject("bulk_delete").put("max_deletes_per_request", Bulk.MAX_DELETES_PER_REQUEST)
                .put("max_failed_deletes", Bulk.MAX_FAILED_DELETES);
        body.putObject("bulk_upload").put("max_containers_per_extraction", Bulk.MAX_CONTAINERS_PER_EXTRACTION)
                .put("max_failed_extractions", Bulk.MAX_FAILED_EXTRACTIONS);
        ctx.status(200).contentType("application/json; charset=UTF-8");
        byte[] bytes = Json.bytes(body);
        ctx.header("Content-Length", Integer.toString(bytes.length));
        body(ctx, bytes);
    }

    // ---- accounts (created on first use: keystoneauth's account_autocreate)

    private void getAccount(Context ctx) {
        String account = account(ctx);
        requireOwner(ctx, account);
        AccountRow row = listings.account(account, Timestamp.now().toString());
        ctx.header("X-Account-Container-Count", Long.toString(row.containerCount()));
        ctx.header("X-Account-Object-Count", Long.toString(row.objectCount()));
        ctx.header("X-Account-Bytes-Used", Long.toString(row.bytesUsed()));
        ctx.header("X-Timestamp", row.created());
        ctx.header("X-Account-Storage-Policy-Policy-0-Container-Count", Long.toString(row.containerCount()));
        ctx.header("X-Account-Storage-Policy-Policy-0-Object-Count", Long.toString(row.objectCount()));
        ctx.header("X-Account-Storage-Policy-Policy-0-Bytes-Used", Long.toString(row.bytesUsed()));
        ctx.header("Accept-Ranges", "bytes");
        Headers.putAll(ctx, row.metadata());
        ListingFormat format = ListingFormat.of(ctx);
        if (ctx.method().name().equals("HEAD")) {
            ctx.status(204).contentType(format.contentType);
            ctx.header("Content-Length", "0");
            return;
        }
        Page page = Page.of(ctx, config.listingLimit());
        List<Listing.Entry<ContainerRow>> entries = Listing.page(q -> listings.containers(account, q), ContainerRow::name,
                page.prefix, page.delimiter, page.marker, page.endMarker, page.limit, page.reverse);
        listingAnswer(ctx, format, entries.isEmpty(), format.containers(account, entries));
    }

    private static void listingAnswer(Context ctx, ListingFormat format, boolean empty, byte[] body) {
        if (empty && format == ListingFormat.PLAIN) {
            ctx.status(204).contentType(format.contentType);
            ctx.header("Content-Length", "0");
            return;
        }
        ctx.status(200).contentType(format.contentType);
        ctx.header("Content-Length", Integer.toString(body.length));
        body(ctx, body);
    }

    private void postAccount(Context ctx) throws java.io.IOException {
        String account = account(ctx);
        if (ctx.queryParam("bulk-delete") != null) {
            bulk.delete(ctx, account);
            return;
        }
        requireOwner(ctx, account);
        String now = Timestamp.now().toString();
        AccountRow row = listings.account(account, now);
        listings.setAccountMetadata(account, Headers.metadata(ctx, "Account", row.metadata(), false), now);
        empty(ctx, 204);
    }

    /** Only archive extraction: accounts are made on first use (allow_account_management is off). */
    private void putAccount(Context ctx) {
        String account = account(ctx);
        if (ctx.queryParam("extract-archive") == null) {
            throw SwiftError.of(405);
        }
        bulk.extract(ctx, account, "");
    }

    /** Only a bulk delete: an account is not deleted through the API (allow_account_management is off). */
    private void deleteAccount(Context ctx) throws java.io.IOException {
        String account = account(ctx);
        if (ctx.queryParam("bulk-delete") == null) {
            throw SwiftError.of(405);
        }
        bulk.delete(ctx, account);
    }

    /** PUT with ?extract-archive below a container or a path in one; true when that is what it was. */
    boolean extracted(Context ctx, String account, String base) {
        if (ctx.queryParam("extract-archive") == null) {
            return false;
        }
        bulk.extract(ctx, account, base);
        return true;
    }

    // ---- containers

    static String containerName(Context ctx) {
        return checkContainerName(ctx.pathParam("container"));
    }

    /** 400 for a container name that is empty or longer than Swift allows. */
    static String checkContainerName(String name) {
        if (name.isEmpty() || name.length() > ObjectApi.MAX_CONTAINER_NAME) {
            throw SwiftError.text(400, "Container name length of %d longer than %d".formatted(name.length(), ObjectApi.MAX_CONTAINER_NAME));
        }
        return name;
    }

    private void getContainer(Context ctx) {
        String account = account(ctx);
        String name = containerName(ctx);
        ContainerRow container = listings.container(account, name).orElse(null);
        requireRead(ctx, account, container, true);
        if (container == null) {
            throw SwiftError.of(404);
        }
        ctx.header("X-Container-Object-Count", Long.toString(container.objectCount()));
        ctx.header("X-Container-Bytes-Used", Long.toString(container.bytesUsed()));
        ctx.header("X-Timestamp", container.created());
        ctx.header("X-Put-Timestamp", container.created());
        ctx.header("Last-Modified", Headers.httpDate(org.nubes.objectstore.disk.Timestamp.parse(container.modified()).ceilSeconds()));
        ctx.header("X-Storage-Policy", "Policy-0");
        ctx.header("Accept-Ranges", "bytes");
        Headers.putAll(ctx, container.metadata());
        if (isOwner(ctx, account)) {
            // Only the owner sees the ACLs, as in Swift.
            if (container.readAcl() != null) {
                ctx.header("X-Container-Read", container.readAcl());
            }
            if (container.writeAcl() != null) {
                ctx.header("X-Container-Write", container.writeAcl());
            }
        }
        ListingFormat format = ListingFormat.of(ctx);
        if (ctx.method().name().equals("HEAD")) {
            ctx.status(204).contentType(format.contentType);
            ctx.header("Content-Length", "0");
            return;
        }
        Page page = Page.of(ctx, config.listingLimit());
        var entries = Listing.page(q -> listings.objects(account, name, q), org.nubes.objectstore.store.ObjectRow::name,
                page.prefix, page.delimiter, page.marker, page.endMarker, page.limit, page.reverse);
        listingAnswer(ctx, format, entries.isEmpty(), format.objects(name, entries));
    }

    private void putContainer(Context ctx) {
        String account = account(ctx);
        String name = containerName(ctx);
        if (extracted(ctx, account, name)) {
            return;
        }
        requireOwner(ctx, account);
        String now = Timestamp.now().toString();
        var existing = listings.container(account, name);
        Map<String, String> metadata = versioning(ctx, Headers.metadata(ctx, "Container", existing.map(ContainerRow::metadata).orElse(Map.of()), false));
        String read = acl(ctx, "Read", existing.map(ContainerRow::readAcl).orElse(null));
        String write = acl(ctx, "Write", existing.map(ContainerRow::writeAcl).orElse(null));
        if (existing.isEmpty() && listings.createContainer(account, name, metadata, read, write, now)) {
            empty(ctx, 201);
            return;
        }
        listings.updateContainer(account, name, metadata, read, write);
        accepted(ctx);
    }

    private void postContainer(Context ctx) {
        String account = account(ctx);
        String name = containerName(ctx);
        requireOwner(ctx, account);
        ContainerRow container = listings.container(account, name).orElseThrow(() -> SwiftError.of(404));
        listings.updateContainer(account, name, versioning(ctx, Headers.metadata(ctx, "Container", container.metadata(), false)),
                acl(ctx, "Read", container.readAcl()), acl(ctx, "Write", container.writeAcl()));
        empty(ctx, 204);
    }

    /**
     * X-Versions-Location or X-History-Location (versioned_writes): a value sets it (and clears the
     * other), an empty value or X-Remove-*-Location clears it; both in one request is a 400.
     */
    private static Map<String, String> versioning(Context ctx, Map<String, String> metadata) {
        quota(ctx, "X-Container-Meta-Quota-Bytes", "Invalid bytes quota.");
        quota(ctx, "X-Container-Meta-Quota-Count", "Invalid count quota.");
        String stack = ctx.header(Versions.VERSIONS_LOCATION);
        String history = ctx.header(Versions.HISTORY_LOCATION);
        if (stack != null && history != null && !stack.isBlank() && !history.isBlank()) {
            throw SwiftError.text(400, "Only one of X-Versions-Location or X-History-Location may be specified");
        }
        for (String key : List.of(Versions.VERSIONS_LOCATION, Versions.HISTORY_LOCATION)) {
            if (ctx.header("X-Remove-" + key.substring(2)) != null) {
                metadata.remove(key);
            }
            String value = ctx.header(key);
            if (value == null) {
                continue;
            }
            if (value.isBlank()) {
                metadata.remove(key);
                continue;
            }
            String location = Headers.percentDecode(value.strip());
            if (location.contains("/") || location.length() > ObjectApi.MAX_CONTAINER_NAME) {
                throw SwiftError.text(412, "Container name must not contain '/' or be longer than " + ObjectApi.MAX_CONTAINER_NAME);
            }
            metadata.remove(Versions.VERSIONS_LOCATION);
            metadata.remove(Versions.HISTORY_LOCATION);
            metadata.put(key, location);
        }
        return metadata;
    }

    /** container_quotas: a quota given must be a non-negative integer (empty removes it). */
    private static void quota(Context ctx, String header, String message) {
        String value = ctx.header(header);
        if (value == null || value.isBlank()) {
            return;
        }
        try {
            if (Long.parseLong(value.strip()) < 0) {
                throw SwiftError.text(400, message);
            }
        } catch (NumberFormatException e) {
            throw SwiftError.text(400, message);
        }
    }

    /** X-Container-Read/Write sets (empty: clears), X-Remove-Container-Read/Write clears. */
    private static String acl(Context ctx, String which, String current) {
        if (ctx.header("X-Remove-Container-" + which) != null) {
            return null;
        }
        String value = ctx.header("X-Container-" + which);
        if (value == null) {
            return current;
        }
        return value.isBlank() ? null : value.strip();
    }

    private void deleteContainer(Context ctx) {
        deleteContainer(ctx, account(ctx), containerName(ctx));
        empty(ctx, 204);
    }

    /** Deletes an empty container (also one line of a bulk delete); 404 or 409 (not empty) otherwise. */
    void deleteContainer(Context ctx, String account, String name) {
        requireOwner(ctx, account);
        switch (listings.deleteContainer(account, name)) {
            case DELETED -> { }
            case NOT_FOUND -> throw SwiftError.of(404);
            case NOT_EMPTY -> throw SwiftError.of(409);
        }
    }

    /**
     * Makes the container unless it exists (an archive's files name their containers): the
     * owner's right, as a container PUT.
     */
    void ensureContainer(Context ctx, String account, String name) {
        checkContainerName(name);
        if (listings.container(account, name).isPresent()) {
            return;
        }
        requireOwner(ctx, account);
        listings.createContainer(account, name, Map.of(), null, null, Timestamp.now().toString());
    }

    /** The paging query parameters of a listing. */
    record Page(String prefix, String delimiter, String marker, String endMarker, int limit, boolean reverse) {
        static Page of(Context ctx, int maxLimit) {
            int limit = maxLimit;
            String given = ctx.queryParam("limit");
            if (given != null && !given.isBlank()) {
                try {
                    limit = Integer.parseInt(given.strip());
                } catch (NumberFormatException e) {
                    throw SwiftError.text(412, "Value of limit must be a positive integer");
                }
                if (limit < 0) {
                    throw SwiftError.text(412, "Value of limit must be a positive integer");
                }
                if (limit > maxLimit) {
                    throw SwiftError.text(412, "Maximum limit is " + maxLimit);
                }
            }
            String reverse = ctx.queryParam("reverse");
            boolean reversed = reverse != null && List.of("true", "1", "yes", "on", "t", "y").contains(reverse.strip().toLowerCase());
            String delimiter = ctx.queryParam("delimiter");
            if (delimiter != null && delimiter.codePointCount(0, delimiter.length()) > 1) {
                throw SwiftError.text(412, "Bad delimiter");
            }
            return new Page(ctx.queryParam("prefix"), delimiter, ctx.queryParam("marker"), ctx.queryParam("end_marker"), limit, reversed);
        }
    }
}
