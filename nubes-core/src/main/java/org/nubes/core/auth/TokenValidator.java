package org.nubes.core.auth;

/**
 * Turns an X-Auth-Token into the caller's context. In the all-in-one process the identity service
 * validates in-process; elsewhere {@link RemoteTokenValidator} asks the identity API.
 */
@FunctionalInterface
public interface TokenValidator {
    /** @throws org.nubes.core.http.ApiException with kind UNAUTHORIZED when the token is not valid */
    AuthContext validate(String token);
}
