// The studio's one way to the server: JSON in and out, problems (RFC 9457) as ApiError, and the
// bearer token (asked for once, kept for the browser tab) when the server wants one.
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: { pointer: string; message: string; expected?: string }[];
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail);
  }
}

const TOKEN_KEY = 'yakkan-studio-token';

export function setToken(token: string | undefined): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

// Called when the server answers 401: resolves with a token to retry with, or undefined to give up.
let askToken: () => Promise<string | undefined> = async () => undefined;

export function onTokenNeeded(f: () => Promise<string | undefined>): void {
  askToken = f;
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const headers: Record<string, string> = { accept: 'application/json' };
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (token) headers['authorization'] = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    } catch (e) {
      throw new ApiError({
        type: 'network',
        title: 'No answer',
        status: 0,
        detail: `the server did not answer: ${(e as Error).message}`,
      });
    }
    // Overloaded, or busy a moment with a long check: the server says when to come back.
    if (res.status === 503 && res.headers.has('retry-after') && attempt < 3) {
      await new Promise((r) => setTimeout(r, Math.min(5, Number(res.headers.get('retry-after')) || 1) * 1000));
      continue;
    }
    if (res.status === 401 && attempt < 3) {
      const given = await askToken();
      if (given) {
        setToken(given);
        continue;
      }
    }
    const text = await res.text();
    let data: unknown;
    try {
      data = text ? JSON.parse(text) : undefined;
    } catch {
      data = undefined;
    }
    if (!res.ok) {
      const p =
        data && typeof data === 'object' && 'detail' in data
          ? (data as Problem)
          : { type: 'http', title: res.statusText, status: res.status, detail: text.slice(0, 300) || res.statusText };
      throw new ApiError(p);
    }
    return data as T;
  }
}
