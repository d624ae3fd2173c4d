/**
 * If-None-Match against the page's ETag, the same rule as the firmware's
 * host/portable/http_etag.c (both read tests/fixtures/if-none-match.txt):
 * RFC 9110 13.1.2, weak comparison; "*" alone matches; a value that is not a
 * valid list of entity-tags matches nothing (the full 200 is always correct).
 */

/** One entity-tag at `s[i]`: its opaque part and the index after it, or null. */
function parseTag(s: string, i: number): { opaque: string; end: number } | null {
  if (s.startsWith('W/', i)) i += 2; // "W/" is case-sensitive (8.8.3)
  if (s[i] !== '"') return null;
  const close = s.indexOf('"', i + 1);
  if (close < 0) return null;
  const opaque = s.slice(i + 1, close);
  // etagc = %x21 / %x23-7E / obs-text: no controls, space, DEL or DQUOTE.
  for (let k = 0; k < opaque.length; k++) {
    const c = opaque.charCodeAt(k);
    if (c < 0x21 || c === 0x7f) return null;
  }
  return { opaque, end: close + 1 };
}

const isOws = (c: string | undefined): boolean => c === ' ' || c === '\t';

/** True when `field` (the If-None-Match value, undefined if absent) matches `etag`: answer 304. */
export function noneMatchHit(field: string | undefined, etag: string): boolean {
  if (field === undefined) return false;
  const mine = parseTag(etag, 0);
  if (!mine || mine.end !== etag.length) return false;
  let i = 0;
  while (isOws(field[i])) i++;
  if (field[i] === '*') {
    i++;
    while (isOws(field[i])) i++;
    return i === field.length;
  }
  let hit = false;
  let any = false;
  for (;;) {
    while (isOws(field[i]) || field[i] === ',') i++;
    if (i >= field.length) break;
    const t = parseTag(field, i);
    if (!t) return false;
    any = true;
    if (t.opaque === mine.opaque) hit = true;
    i = t.end;
    while (isOws(field[i])) i++;
    if (i < field.length && field[i] !== ',') return false;
  }
  return any && hit;
}
