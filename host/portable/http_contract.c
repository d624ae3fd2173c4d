#include "http_contract.h"

#include <string.h>

#include "core_abi.h"

bool http_contract_path_is(const char *uri, const char *path)
{
    if (uri == NULL) {
        return false;
    }
    size_t n = strcspn(uri, "?#");
    return strlen(path) == n && strncmp(path, uri, n) == 0;
}

http_route_t http_contract_route(const char *uri)
{
    static const struct {
        const char *path;
        http_route_t route;
    } routes[] = {
        {"/", HTTP_ROUTE_PAGE},
        {"/index.html", HTTP_ROUTE_PAGE},
        {"/demo_sse", HTTP_ROUTE_SSE},
        {"/icon", HTTP_ROUTE_ICON},
    };
    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
        if (http_contract_path_is(uri, routes[i].path)) {
            return routes[i].route;
        }
    }
    return HTTP_ROUTE_NONE;
}

const char *http_contract_allow(http_route_t route)
{
    switch (route) {
    case HTTP_ROUTE_PAGE:
    case HTTP_ROUTE_SSE:
        return "GET";
    case HTTP_ROUTE_ICON:
        return "PUT";
    case HTTP_ROUTE_NONE:
    default:
        return NULL;
    }
}

bool http_contract_method_allowed(http_route_t route, const char *method)
{
    const char *allow = http_contract_allow(route);
    /* Methods are case-sensitive (RFC 9110 9.1). */
    return allow != NULL && method != NULL && strcmp(allow, method) == 0;
}

http_reply_t http_contract_put_reply(int32_t code)
{
    switch (code) {
    case CORE_PUT_OK:
        return (http_reply_t){204, "204 No Content", NULL};
    case CORE_PUT_UNKNOWN_ICON:
        return (http_reply_t){404, "404 Not Found", "unknown icon\n"};
    case CORE_PUT_BAD_BODY:
        return (http_reply_t){400, "400 Bad Request", "body must be an icon name in printable ASCII\n"};
    case CORE_PUT_TOO_LARGE:
        return (http_reply_t){413, "413 Content Too Large", "body too large\n"};
    case CORE_PUT_QUEUE_FULL:
        return (http_reply_t){503, "503 Service Unavailable", "busy, try again\n"};
    default:
        return (http_reply_t){500, "500 Internal Server Error", "unexpected result from the core\n"};
    }
}

http_reply_t http_contract_error_reply(int status)
{
    switch (status) {
    case 400:
        return (http_reply_t){400, "400 Bad Request", "send Content-Length or Transfer-Encoding, not both\n"};
    case 404:
        return (http_reply_t){404, "404 Not Found", "not found\n"};
    case 405:
        return (http_reply_t){405, "405 Method Not Allowed", "method not allowed\n"};
    case 408:
        return (http_reply_t){408, "408 Request Timeout", "request not received in time, send it again at once\n"};
    case 413:
        return http_contract_put_reply(CORE_PUT_TOO_LARGE);
    case 415:
        return (http_reply_t){415, "415 Unsupported Media Type", "send the body uncompressed\n"};
    case 501:
        return (http_reply_t){501, "501 Not Implemented", "send the body plain or chunked\n"};
    case 503:
        return (http_reply_t){503, "503 Service Unavailable", "unavailable, try again later\n"};
    default:
        return (http_reply_t){500, "500 Internal Server Error", "internal error\n"};
    }
}

http_body_action_t http_contract_body_action(size_t content_len, size_t capacity)
{
    if (content_len <= capacity) {
        return HTTP_BODY_READ;
    }
    if (content_len <= HTTP_BODY_DISCARD_LIMIT) {
        return HTTP_BODY_REJECT_DRAIN;
    }
    return HTTP_BODY_REJECT_ABORT;
}

size_t http_contract_open_sockets(size_t lwip_max_sockets)
{
    if (lwip_max_sockets <= HTTP_SERVER_INTERNAL_SOCKETS) {
        return 0;
    }
    return lwip_max_sockets - HTTP_SERVER_INTERNAL_SOCKETS;
}

bool http_contract_socket_budget_ok(size_t lwip_max_sockets, size_t max_sse_clients)
{
    size_t open = http_contract_open_sockets(lwip_max_sockets);
    return max_sse_clients >= 1 && open >= HTTP_SPARE_SOCKETS &&
           max_sse_clients <= open - HTTP_SPARE_SOCKETS;
}
