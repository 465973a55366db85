/** Hash-based routing: `#/path?query`. Pages build their root element; the router swaps it in. */
import type { Me } from './api.js';

/** Where a signed-in user lands. */
export const HOME = '/security/authenticator';

export type Access = 'anonymous' | 'flow' | 'user' | 'holder';

export interface PageContext {
  params: Record<string, string>;
  query: URLSearchParams;
  /** The signed-in user (for `user` and `holder` pages). */
  me: Me | undefined;
  setTitle(title: string): void;
  /** Where focus goes after the page shows (default: the page's h1). */
  focus(element: HTMLElement): void;
}

export interface Route {
  path: string;
  access: Access;
  render(ctx: PageContext): Promise<HTMLElement> | HTMLElement;
}

export interface Match {
  route: Route;
  params: Record<string, string>;
  query: URLSearchParams;
  path: string;
}

export function currentHashPath(): { path: string; query: URLSearchParams } {
  const hash = window.location.hash.replace(/^#/, '');
  const [rawPath = '', rawQuery = ''] = hash.split('?', 2);
  const path = rawPath.startsWith('/') ? rawPath : `/${rawPath}`;
  return { path: path.length > 1 ? path.replace(/\/+$/, '') : path, query: new URLSearchParams(rawQuery) };
}

export function match(routes: Route[], path: string, query: URLSearchParams): Match | undefined {
  const parts = path.split('/').filter(Boolean);
  for (const route of routes) {
    const pattern = route.path.split('/').filter(Boolean);
    if (pattern.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < pattern.length; i++) {
      const want = pattern[i]!;
      const got = parts[i]!;
      if (want.startsWith(':')) {
        try {
          params[want.slice(1)] = decodeURIComponent(got);
        } catch {
          ok = false;
        }
      } else if (want !== got) ok = false;
      if (!ok) break;
    }
    if (ok) return { route, params, query, path };
  }
  return undefined;
}

/** Builds `#/path?query` with the query encoded. */
export function href(path: string, query?: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined && value !== '') params.set(key, String(value));
  const qs = params.toString();
  return `#${path}${qs ? `?${qs}` : ''}`;
}

export function navigate(path: string, query?: Record<string, string | number | undefined>): void {
  const target = href(path, query);
  if (window.location.hash === target) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else window.location.hash = target;
}
