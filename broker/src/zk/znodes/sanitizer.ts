/**
 * Kafka's `Sanitizer` (clients/.../utils/Sanitizer.java): user, client-id and ip names in config paths are
 * URL-encoded (Java URLEncoder, UTF-8) with `*` -> `%2A` and `+` (a space) -> `%20`. The net effect is:
 * `[A-Za-z0-9._-]` stay as they are, every other UTF-8 byte becomes `%XX` (upper-case hex).
 */

const SAFE = /[A-Za-z0-9._-]/;

export function sanitize(name: string): string {
  let out = '';
  for (const ch of name) {
    if (SAFE.test(ch)) {
      out += ch;
    } else {
      for (const b of Buffer.from(ch, 'utf8')) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
    }
  }
  return out;
}

/** Java URLDecoder semantics: `+` is a space, `%XX` are UTF-8 bytes. Throws on a malformed escape. */
export function desanitize(name: string): string {
  return decodeURIComponent(name.replace(/\+/g, ' '));
}
