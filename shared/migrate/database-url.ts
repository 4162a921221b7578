/** Database connection strings: spotting connection poolers, and keeping passwords out of logs. */

/** `scheme://user:password@` — the password is the second group. */
const CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:@/]*:)([^\s@/]+)(@)/gi;

/** The passwords embedded in connection strings in `text`. */
export function passwordsIn(text: string): string[] {
  return [...text.matchAll(CREDENTIALS)].map((match) => match[2]!);
}

/** `text` with every connection-string password replaced by `***`. */
export function redactCredentials(text: string): string {
  return text.replace(CREDENTIALS, '$1***$3');
}

/**
 * The connection pooler a database URL (or a `host:port`) points at, or undefined. Through a
 * pooler Prisma's advisory lock is not reliable (the session may change between statements).
 */
export function poolerOf(urlOrHost: string): string | undefined {
  let host = urlOrHost;
  let port = '';
  let query = '';
  let scheme = '';
  if (urlOrHost.includes('://')) {
    try {
      const url = new URL(urlOrHost);
      scheme = url.protocol.replace(/:$/, '');
      host = url.hostname;
      port = url.port;
      query = url.search;
    } catch {
      return undefined;
    }
  } else {
    const at = urlOrHost.lastIndexOf(':');
    if (at > 0 && /^\d+$/.test(urlOrHost.slice(at + 1))) [host, port] = [urlOrHost.slice(0, at), urlOrHost.slice(at + 1)];
  }
  host = host.toLowerCase();
  if (scheme === 'prisma' || scheme === 'prisma+postgres') return 'Prisma Accelerate (a prisma:// URL)';
  if (/(^|[?&])pgbouncer=true(&|$)/i.test(query.replace(/^\?/, ''))) return 'PgBouncer (pgbouncer=true in the URL)';
  if (/\.proxy-[a-z0-9]+\.[a-z0-9-]+\.rds\.amazonaws\.com(\.cn)?$/.test(host)) return 'RDS Proxy';
  if (host.includes('pgbouncer')) return 'PgBouncer';
  if (host.endsWith('.pooler.supabase.com') || (host.endsWith('.supabase.co') && port === '6543')) return 'the Supabase connection pooler';
  if (/-pooler\.[a-z0-9.-]*neon\.tech$/.test(host)) return "Neon's connection pooler";
  if (port === '6432') return 'PgBouncer (port 6432)';
  return undefined;
}
