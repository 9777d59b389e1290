// Talking to the console over plain HTTP as a browser would: a cookie jar, and the CSRF token a page carries.

/** A minimal cookie jar for one console origin (name=value pairs from Set-Cookie). */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  take(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const index = pair!.indexOf('=');
      const name = pair!.slice(0, index).trim();
      const value = pair!.slice(index + 1).trim();
      if (/max-age=0\b|expires=thu, 01 jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

/** The CSRF token rendered into a console page's forms. */
export function csrfTokenIn(html: string): string {
  const match = /name="csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error(`no CSRF token in the page:\n${html.slice(0, 500)}`);
  return match[1]!;
}

/** Opens `path` with the jar and returns the page's CSRF token. */
export async function openForToken(base: string, path: string, jar: CookieJar): Promise<string> {
  const response = await fetch(base + path, { headers: { cookie: jar.header() } });
  jar.take(response);
  if (response.status !== 200) throw new Error(`GET ${path}: ${response.status}`);
  return csrfTokenIn(await response.text());
}

/**
 * POSTs a urlencoded form to a console route: as a document (no JavaScript), as Remix's single-fetch data
 * request (`/path.data`, what the console's pages send), or as the older `?_data=<route>` request.
 */
export async function postForm(
  base: string,
  path: string,
  fields: Record<string, string | string[]>,
  options: { jar?: CookieJar; headers?: Record<string, string>; dataRoute?: string; singleFetch?: boolean } = {},
): Promise<Response> {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) for (const v of [value].flat()) body.append(name, v);
  const url = new URL(base + path);
  if (options.singleFetch) url.pathname = url.pathname === '/' ? '/_root.data' : `${url.pathname.replace(/\/$/, '')}.data`;
  if (options.dataRoute) url.searchParams.set('_data', options.dataRoute);
  const response = await fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(options.jar ? { cookie: options.jar.header() } : {}), ...options.headers },
    body,
  });
  options.jar?.take(response);
  return response;
}
