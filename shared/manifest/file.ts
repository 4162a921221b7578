/** Where the services manifest is. Kept free of the parser and validator: action inputs use it before any engine loads. */

export const DEFAULT_MANIFEST = '.github/services.yml';

/** What to do when the manifest is not where the step looks for it. */
export const MISSING_MANIFEST_HINT = 'Check out the repository before this step (actions/checkout), or set the "manifest" input to the manifest\'s path.';
