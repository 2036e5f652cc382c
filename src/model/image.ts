// Image references (`registry:5000/team/app:1.2@sha256:…`), read the one way every source reads them.

export interface ImageRef {
  /** Repository with its registry host, without tag or digest. */
  name?: string;
  tag?: string;
  /** `sha256:…` after `@`. */
  digest?: string;
  /** The registry host when the reference names one (a first part with `.` or `:`, or localhost). */
  registry?: string;
  /** A bare image id (`sha256:…` on its own). */
  id?: string;
}

/**
 * Splits a reference into name, tag, digest and registry. A colon is a tag separator only after
 * the last slash (`host:5000/app` has none) and never inside the digest (`app@sha256:…`).
 */
export function parseImageRef(ref: string): ImageRef {
  if (/^sha256:[0-9a-f]+$/i.test(ref)) return { id: ref };
  const at = ref.indexOf('@');
  const base = at >= 0 ? ref.slice(0, at) : ref;
  const digest = at >= 0 ? ref.slice(at + 1) || undefined : undefined;
  const slash = base.lastIndexOf('/');
  const colon = base.lastIndexOf(':');
  const hasTag = colon > slash;
  const name = hasTag ? base.slice(0, colon) : base;
  const first = name.split('/')[0] ?? '';
  const registry = name.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost') ? first : undefined;
  const out: ImageRef = { name };
  if (hasTag) out.tag = base.slice(colon + 1);
  if (digest) out.digest = digest;
  if (registry) out.registry = registry;
  return out;
}
