// The cockpit's REST calls: same-origin fetch with the session cookie and the CSRF header.

const CSRF_KEY = 'huddle.csrf';

/** An error the hub answered with (status 0: the hub could not be reached). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function getCsrf(): string | null {
  try {
    return localStorage.getItem(CSRF_KEY);
  } catch {
    return null;
  }
}

export function setCsrf(csrf: string | null): void {
  try {
    if (csrf) localStorage.setItem(CSRF_KEY, csrf);
    else localStorage.removeItem(CSRF_KEY);
  } catch {
    /* storage disabled: the session lasts as long as the page */
  }
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Calls the hub; resolves with the JSON body or throws ApiError (status 0 when the hub could not
 * be reached or did not answer within `timeoutMs`).
 */
export async function api<T>(
  method: Method,
  path: string,
  body?: unknown,
  timeoutMs = 15_000,
): Promise<T> {
  const headers: Record<string, string> = {};
  const csrf = getCsrf();
  if (csrf) headers['X-Huddle-CSRF'] = csrf;
  if (method !== 'GET' && method !== 'DELETE') headers['Content-Type'] = 'application/json';
  else if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res: Response;
  let text: string;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      signal: abort.signal,
      body:
        body === undefined ? (headers['Content-Type'] ? '{}' : undefined) : JSON.stringify(body),
    });
    text = await res.text();
  } catch (err) {
    throw new ApiError(0, 'unreachable', `The hub could not be reached (${String(err)}).`);
  } finally {
    clearTimeout(timer);
  }
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON: handled below */
  }
  if (!res.ok) {
    const e = (json as { error?: { code?: string; message?: string; details?: object } } | null)
      ?.error;
    throw new ApiError(
      res.status,
      e?.code ?? `http_${res.status}`,
      e?.message ?? `The hub answered ${res.status}.`,
      (e?.details as Record<string, unknown>) ?? {},
    );
  }
  return json as T;
}

/** `/v1/rooms/<room>` + rest, with the room name encoded. */
export function roomPath(room: string, rest = ''): string {
  return `/v1/rooms/${encodeURIComponent(room)}${rest}`;
}
