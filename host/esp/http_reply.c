/* Response helpers shared by the HTTP handlers (http_reply.h). */
#include "http_reply.h"

#include "http_guard.h"

esp_err_t http_reply_send_all(httpd_req_t *req, const char *buf, size_t len)
{
    while (len > 0) {
        int r = httpd_send(req, buf, len);
        if (r <= 0) {
            return ESP_FAIL;
        }
        buf += r;
        len -= (size_t)r;
    }
    return ESP_OK;
}

/* Ends a non-SSE exchange. The close runs after the handler returns and
 * the server has read what is left of the request body, so the client gets
 * a clean FIN after the response rather than a reset. */
esp_err_t http_reply_done_close(httpd_req_t *req)
{
    http_guard_closing(httpd_req_to_sockfd(req));
    if (httpd_sess_trigger_close(req->handle, httpd_req_to_sockfd(req)) != ESP_OK) {
        return ESP_FAIL; /* the server closes it at once instead */
    }
    return ESP_OK;
}

esp_err_t http_reply_finish(httpd_req_t *req, esp_err_t sent, size_t unread)
{
    if (sent != ESP_OK || unread > HTTP_BODY_DISCARD_LIMIT) {
        return ESP_FAIL;
    }
    return http_reply_done_close(req);
}

esp_err_t http_reply_text(httpd_req_t *req, http_reply_t r, const char *allow, bool retry_after)
{
    httpd_resp_set_status(req, r.status_line);
    httpd_resp_set_type(req, "text/plain; charset=utf-8");
    httpd_resp_set_hdr(req, "Connection", "close");
    if (allow != NULL) {
        httpd_resp_set_hdr(req, "Allow", allow);
    }
    if (retry_after) {
        httpd_resp_set_hdr(req, "Retry-After", "5");
    }
    return httpd_resp_sendstr(req, r.text != NULL ? r.text : "");
}

esp_err_t http_reply_no_content(httpd_req_t *req)
{
    /* Written raw: httpd_resp_send() adds Content-Type and Content-Length,
     * which a 204 must not carry (RFC 9110, 8.6). */
    static const char resp[] = "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n";
    return http_reply_send_all(req, resp, sizeof(resp) - 1);
}
