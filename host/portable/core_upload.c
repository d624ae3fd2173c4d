#include "core_upload.h"

#include <string.h>

#include "http_contract.h"

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

bool core_upload_type_ok(const char *value)
{
    if (value == NULL) {
        return false;
    }
    size_t end = 0;
    while (value[end] != '\0' && value[end] != ';') {
        end++;
    }
    size_t start = 0;
    while (start < end && is_space(value[start])) {
        start++;
    }
    while (end > start && is_space(value[end - 1])) {
        end--;
    }
    static const char want[] = CORE_UPLOAD_MEDIA_TYPE;
    if (end - start != sizeof(want) - 1) {
        return false;
    }
    for (size_t i = 0; i < sizeof(want) - 1; i++) {
        if (lower(value[start + i]) != want[i]) {
            return false;
        }
    }
    return true;
}

bool core_upload_too_large(size_t content_len, size_t max_len)
{
    return content_len > max_len;
}

uint32_t core_upload_request_ms(size_t content_len)
{
    /* Blocks started, capped so the sum cannot overflow (the length is
     * checked against the limit before this matters). */
    size_t blocks = content_len / CORE_UPLOAD_BLOCK_BYTES + (content_len % CORE_UPLOAD_BLOCK_BYTES != 0);
    if (blocks > 64) {
        blocks = 64;
    }
    return CORE_UPLOAD_BASE_MS + (uint32_t)blocks * CORE_UPLOAD_BLOCK_MS;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = lower(c);
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

core_upload_key_t core_upload_parse_pubkey(const char *hex, uint8_t out[65])
{
    memset(out, 0, 65);
    if (hex == NULL) {
        return CORE_UPLOAD_KEY_EMPTY;
    }
    size_t start = 0;
    size_t end = strlen(hex);
    while (start < end && is_space(hex[start])) {
        start++;
    }
    while (end > start && is_space(hex[end - 1])) {
        end--;
    }
    if (end == start) {
        return CORE_UPLOAD_KEY_EMPTY;
    }
    if (end - start != CORE_UPLOAD_PUBKEY_HEX_LEN) {
        return CORE_UPLOAD_KEY_INVALID;
    }
    uint8_t key[65];
    for (size_t i = 0; i < 65; i++) {
        int hi = hex_digit(hex[start + 2 * i]);
        int lo = hex_digit(hex[start + 2 * i + 1]);
        if (hi < 0 || lo < 0) {
            return CORE_UPLOAD_KEY_INVALID;
        }
        key[i] = (uint8_t)(hi << 4 | lo);
    }
    if (key[0] != 0x04) {
        return CORE_UPLOAD_KEY_INVALID; /* compressed or not a SEC 1 point */
    }
    memcpy(out, key, 65);
    return CORE_UPLOAD_KEY_OK;
}

const char *core_upload_allow(const char *uri)
{
    if (http_contract_path_is(uri, CORE_UPLOAD_PATH)) {
        return "GET, PUT";
    }
    if (http_contract_path_is(uri, CORE_UPLOAD_ROLLBACK_PATH)) {
        return "POST";
    }
    return NULL;
}

const char *core_upload_status_line(int status)
{
    switch (status) {
    case 200:
        return "200 OK";
    case 400:
        return "400 Bad Request";
    case 403:
        return "403 Forbidden";
    case 408:
        return "408 Request Timeout";
    case 409:
        return "409 Conflict";
    case 413:
        return "413 Content Too Large";
    case 415:
        return "415 Unsupported Media Type";
    case 422:
        return "422 Unprocessable Content";
    case 503:
        return "503 Service Unavailable";
    default:
        return "500 Internal Server Error";
    }
}
