/** Which build cache a build imports and exports, given what the builder and the repository allow. */
import type { CacheMode } from './types.js';

export const CACHE_TAG = 'buildcache';

export interface CachePlan {
  /** What is used in the end, after any fallback. */
  mode: CacheMode;
  from: string[];
  to: string[];
  /** Why the requested cache was replaced, for a notice in the log. */
  fallback?: string;
}

export interface CacheContext {
  /** `registry/repository`, without a tag. */
  image: string;
  repository: string;
  driver: string;
  /** The tag that moves from build to build (e.g. latest), where an inline cache can be found next time. */
  movingTag?: string;
  /** Tags the repository has now: a cache is imported only from a tag that exists, so a first build logs no import error. */
  existingTags: ReadonlySet<string>;
  immutableTags: boolean;
  env: NodeJS.ProcessEnv;
}

const SETUP_BUILDX = 'add docker/setup-buildx-action before this step for a builder that can export it';

export function planCache(requested: CacheMode, context: CacheContext): CachePlan {
  const importable = (tag: string | undefined) => (tag !== undefined && context.existingTags.has(tag) ? [`type=registry,ref=${context.image}:${tag}`] : []);
  const inline = (fallback?: string): CachePlan => ({
    mode: 'inline',
    from: importable(context.movingTag),
    to: ['type=inline'],
    fallback,
  });
  // The docker driver stores no cache outside the engine: only an inline cache rides along with the image.
  const exportable = context.driver !== 'docker';

  switch (requested) {
    case 'none':
      return { mode: 'none', from: [], to: [] };
    case 'inline':
      return inline();
    case 'registry': {
      if (!exportable) return inline(`The builder uses the docker driver, which cannot export a registry cache; the image carries an inline cache instead (${SETUP_BUILDX}).`);
      if (context.immutableTags) {
        return inline(`The ECR repository "${context.repository}" has immutable tags, so the "${CACHE_TAG}" tag cannot be rewritten; the image carries an inline cache instead.`);
      }
      const ref = `${context.image}:${CACHE_TAG}`;
      // ECR accepts a cache manifest only as an OCI image manifest.
      return { mode: 'registry', from: importable(CACHE_TAG), to: [`type=registry,ref=${ref},mode=max,image-manifest=true,oci-mediatypes=true`] };
    }
    case 'gha': {
      if (!exportable) return inline(`The builder uses the docker driver, which cannot export a GitHub Actions cache; the image carries an inline cache instead (${SETUP_BUILDX}).`);
      if (!context.env.ACTIONS_RUNTIME_TOKEN || !(context.env.ACTIONS_CACHE_URL || context.env.ACTIONS_RESULTS_URL)) {
        return inline('The GitHub Actions cache service is not available to this step (no ACTIONS_RUNTIME_TOKEN and cache URL); the image carries an inline cache instead.');
      }
      const scope = `scope=${context.repository}`;
      return { mode: 'gha', from: [`type=gha,${scope}`], to: [`type=gha,${scope},mode=max`] };
    }
  }
}
