package org.nubes.objectstore.service;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An error answer in Swift's form: its status with either Swift's standard HTML body
 * ({@code <html><h1>Not Found</h1><p>The resource could not be found.</p></html>}) or a one-line
 * text explaining bad input, always as text/html. Thrown by the service and the handlers, rendered
 * once by the API's request wrapper.
 */
public final class SwiftError extends RuntimeException {
    private final int status;
    private final String body;
    private final Map<String, String> headers = new LinkedHashMap<>();

    private SwiftError(int status, String body) {
        super(status + " " + body);
        this.status = status;
        this.body = body;
    }

    /** With Swift's standard body for the status. */
    public static SwiftError of(int status) {
        return new SwiftError(status, "<html><h1>%s</h1><p>%s</p></html>".formatted(title(status), explanation(status)));
    }

    /** With a message of its own, as Swift answers bad input ("Metadata name too long; max 128"). */
    public static SwiftError text(int status, String message) {
        return new SwiftError(status, message);
    }

    public SwiftError header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public int status() {
        return status;
    }

    public String body() {
        return body;
    }

    public Map<String, String> headers() {
        return headers;
    }

    public static String title(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 201 -> "Created";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 406 -> "Not Acceptable";
            case 409 -> "Conflict";
            case 411 -> "Length Required";
            case 412 -> "Precondition Failed";
            case 413 -> "Request Entity Too Large";
            case 416 -> "Requested Range Not Satisfiable";
            case 422 -> "Unprocessable Entity";
            case 499 -> "Client Disconnect";
            case 501 -> "Not Implemented";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            default -> "Internal Error";
        };
    }

    private static String explanation(int status) {
        return switch (status) {
            case 400 -> "The server could not comply with the request since it is either malformed or otherwise incorrect.";
            case 401 -> "This server could not verify that you are authorized to access the document you requested.";
            case 403 -> "Access was denied to this resource.";
            case 404 -> "The resource could not be found.";
            case 405 -> "The method is not allowed for this resource.";
            case 406 -> "The resource is not available in a form the request accepts.";
            case 409 -> "There was a conflict when trying to complete your request.";
            case 411 -> "Length Required";
            case 412 -> "A precondition for this request was not met.";
            case 413 -> "The body of your request was too large for this server.";
            case 416 -> "The Range requested is not available.";
            case 422 -> "Unable to process the contained instructions";
            case 499 -> "The client was disconnected during request.";
            case 501 -> "The requested method is not implemented by this server.";
            case 503 -> "The server is currently unavailable. Please try again at a later time.";
            default -> "The server has either erred or is incapable of performing the requested operation.";
        };
    }
}
