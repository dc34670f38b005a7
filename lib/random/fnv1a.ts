/**
 * 32-bit FNV-1a hash of bytes (a string is hashed as its UTF-8 bytes), as 8 hex digits:
 * detects truncated or altered checkpoint files and names cached runs by their key.
 *
 * @param data the bytes, or a string.
 * @returns the hash, 8 lowercase hex digits.
 * @category data
 */
export function fnv1a(data: Uint8Array | string): string {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i];
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, "0");
}
