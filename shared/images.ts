/** Image references. Kept free of AWS SDK imports: action inputs use it before any engine loads. */

/** What a registry accepts as a tag: up to 128 letters, digits, _, . and -, not starting with . or -. */
export const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** registry[:port]/path[:tag][@sha256:digest]; a registry host or a tag alone is not an image. */
const IMAGE = /^(?:[a-zA-Z0-9.-]+(?::\d+)?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

/** The longest image reference a container definition accepts. */
const MAX_IMAGE_LENGTH = 255;

/** What is wrong with an image reference, in words that follow "which is"; undefined when nothing is. */
export function imageProblem(image: string): string | undefined {
  if (image.length > MAX_IMAGE_LENGTH) return `${image.length} characters long, longer than the ${MAX_IMAGE_LENGTH} ECS accepts for an image`;
  if (!IMAGE.test(image)) return 'not an image reference';
  return undefined;
}

export interface ImageRef {
  registry?: string;
  repository: string;
  tag?: string;
  digest?: string;
}

export function parseImageRef(image: string): ImageRef {
  const [withoutDigest, digest] = image.split('@') as [string, string | undefined];
  const slash = withoutDigest.indexOf('/');
  const first = slash >= 0 ? withoutDigest.slice(0, slash) : '';
  const hasRegistry = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = hasRegistry ? first : undefined;
  const rest = hasRegistry ? withoutDigest.slice(slash + 1) : withoutDigest;
  const colon = rest.lastIndexOf(':');
  return colon >= 0 ? { registry, repository: rest.slice(0, colon), tag: rest.slice(colon + 1), digest } : { registry, repository: rest, digest };
}

/** `sha256:` and the first 12 hex digits of a digest, as registries and Docker show it. */
export function shortDigest(digest: string): string {
  return digest.replace(/^(sha256:[0-9a-f]{12})[0-9a-f]+$/, '$1');
}

/** The tag, or the start of the digest (marked as cut), for tables and logs. */
export function shortImage(image: string): string {
  const ref = parseImageRef(image);
  if (ref.tag) return ref.tag;
  if (ref.digest) return `${shortDigest(ref.digest)}…`;
  return 'latest';
}

/** The same repository with another tag (any digest dropped). */
export function withTag(image: string, tag: string): string {
  const ref = parseImageRef(image);
  return `${ref.registry ? `${ref.registry}/` : ''}${ref.repository}:${tag}`;
}
