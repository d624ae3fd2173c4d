/*
 * Conditional GET of the page (RFC 9110 8.8.3 ETag, 13.1.2 If-None-Match):
 * the page's entity-tag is computed when the page is built; a browser that
 * revalidates sends it back and gets 304 Not Modified without the body.
 */
#pragma once

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * True when the If-None-Match field value if_none_match matches etag (the
 * ETag the page is served with, e.g. "\"3f2a...\""), i.e. the answer is 304.
 *
 * RFC 9110 13.1.2: "*" matches any current representation; otherwise the
 * value is a comma-separated list of entity-tags ([W/]"opaque"), compared
 * with the weak comparison (13.1.2 says If-None-Match MUST use it: W/ on
 * either side is ignored, the opaque parts must be equal octet for octet).
 * Empty list elements and optional whitespace (SP, HTAB) around commas are
 * accepted (5.6.1). A value that is not a valid list (an unquoted tag, a
 * stray character, "*" inside a list) matches nothing: the full 200
 * response is always a correct answer. NULL or an empty value: false.
 */
bool http_etag_none_match_hit(const char *if_none_match, const char *etag);

/* True when etag is a valid entity-tag ([W/]"etagc*", RFC 9110 8.8.3). */
bool http_etag_valid(const char *etag);

#ifdef __cplusplus
}
#endif
