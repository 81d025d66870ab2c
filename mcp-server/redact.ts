/**
 * Last line of defence for "outputs never contain secrets": action outputs are checked by their schemas,
 * and none should carry credentials, but anything under a secret-looking key is masked before it leaves
 * the process. Only string leaves are replaced, so the result still matches the output schema.
 */
const SENSITIVE_KEY =
  /^(password|passphrase|secret|client_?secret|access_?token|refresh_?token|api_?token|api_?key|token|bearer|credentials?|master_?key|private_?key|signing_?secret|webhook_?secret|authorization|cookie)$/i;

export const REDACTED = "[redacted]";

function maskAll(value: unknown): unknown {
  if (typeof value === "string") return REDACTED;
  if (Array.isArray(value)) return value.map(maskAll);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, maskAll(inner)]));
  }
  return value;
}

/** A copy of `value` with every string under a sensitive key masked; returns the same object when clean. */
export function redactSecrets<T>(value: T): T {
  let changed = false;
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) {
      const mapped = node.map(walk);
      return mapped.some((item, index) => item !== node[index]) ? mapped : node;
    }
    if (node && typeof node === "object") {
      let dirty = false;
      const entries = Object.entries(node).map(([key, inner]) => {
        const next = SENSITIVE_KEY.test(key) && inner !== null ? maskAll(inner) : walk(inner);
        if (next !== inner) dirty = true;
        return [key, next] as const;
      });
      if (!dirty) return node;
      changed = true;
      return Object.fromEntries(entries);
    }
    return node;
  };
  const result = walk(value);
  // Boundary: redaction keeps the shape (only string leaves change), so the type is unchanged.
  return (changed ? result : value) as T;
}
