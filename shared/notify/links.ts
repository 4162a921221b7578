/** Links a message may carry: http(s) only, without credentials, short enough for Slack. */

/** Slack refuses a link longer than this in a button or text. */
const MAX_LINK = 3000;

/** The link normalised (spaces and brackets percent-encoded), or what is wrong with it, in words. */
export function checkLink(value: string): { url: string } | { problem: string } {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { problem: 'is not a URL' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { problem: `is a ${url.protocol} link, not http(s)` };
  if (url.username || url.password) return { problem: 'has a user name or password in it' };
  if (url.href.length > MAX_LINK) return { problem: `is longer than the ${MAX_LINK.toLocaleString('en-US')} characters Slack accepts in a link` };
  return { url: url.href };
}

/** An http(s) link, or undefined: for links that come from a service's answer rather than an input. */
export function httpLink(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const checked = checkLink(value);
  return 'url' in checked ? checked.url : undefined;
}
