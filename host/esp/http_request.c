#include "http_request.h"

#include <stdbool.h>
#include <string.h>

#include "http_coding.h"
#include "http_reply.h"

int http_request_read_body(httpd_req_t *req, uint8_t *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        int r = httpd_req_recv(req, (char *)buf + got, len - got);
        if (r <= 0) {
            return r == 0 ? HTTPD_SOCK_ERR_FAIL : r; /* 0: the client closed */
        }
        got += (size_t)r;
    }
    return 0;
}

/* One request header for http_coding_check(). */
static http_header_t request_header(httpd_req_t *req, const char *name, char *buf, size_t size)
{
    esp_err_t err = httpd_req_get_hdr_value_str(req, name, buf, size);
    if (err == ESP_ERR_NOT_FOUND) {
        return (http_header_t){.present = false};
    }
    return (http_header_t){
        .present = true,
        .truncated = (err != ESP_OK),
        .value = buf,
        .len = (err == ESP_OK) ? strlen(buf) : 0,
    };
}

int http_request_coding_status(httpd_req_t *req)
{
    char te_buf[HTTP_CODING_VALUE_MAX + 1];
    char ce_buf[HTTP_CODING_VALUE_MAX + 1];
    char cl_buf[2];
    http_header_t te = request_header(req, "Transfer-Encoding", te_buf, sizeof(te_buf));
    http_header_t ce = request_header(req, "Content-Encoding", ce_buf, sizeof(ce_buf));
    bool has_cl = request_header(req, "Content-Length", cl_buf, sizeof(cl_buf)).present;
    http_coding_t coding = http_coding_check(&te, &ce, has_cl);
    return coding == HTTP_CODING_PLAIN ? 0 : http_coding_status(coding);
}

bool http_request_refused_coding(httpd_req_t *req, esp_err_t *sent)
{
    int status = http_request_coding_status(req);
    if (status == 0) {
        return false;
    }
    *sent = http_reply_text(req, http_contract_error_reply(status), NULL, false);
    return true;
}

esp_err_t http_request_body_failed(httpd_req_t *req, int rr)
{
    if (rr == HTTPD_SOCK_ERR_TIMEOUT) {
        (void)http_reply_text(req, http_contract_error_reply(408), NULL, false);
    }
    return ESP_FAIL;
}
