// Keys that make a retried send safe.

/** A random key for Idempotency-Key headers (crypto.randomUUID needs a secure context). */
export function randomKey() {
  if (window.crypto?.randomUUID) return window.crypto.randomUUID();
  const bytes = new Uint8Array(16);
  window.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
