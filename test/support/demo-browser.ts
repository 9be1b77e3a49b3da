/**
 * Just enough of a browser for the demo app over real HTTP: a cookie jar, no automatic redirects
 * (tests look at each 303), and the CSRF token of the last page read from its forms.
 */
export interface DemoResponse {
  status: number;
  /** The Location header of a redirect, resolved against the app. */
  location?: string;
  body: string;
  headers: Headers;
}

export class DemoBrowser {
  private readonly cookies = new Map<string, string>();
  private lastCsrf: string | undefined;

  constructor(readonly baseUrl: string) {}

  /** The `_csrf` value of the last page fetched, as a real form submission would send it. */
  get csrf(): string | undefined {
    return this.lastCsrf;
  }

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  async get(path: string): Promise<DemoResponse> {
    return this.request('GET', path);
  }

  /** Posts a form. `csrf: undefined` sends the token of the last page; `null` sends none. */
  async post(path: string, fields: Record<string, string> = {}, { csrf }: { csrf?: string | null } = {}): Promise<DemoResponse> {
    const token = csrf === undefined ? this.lastCsrf : csrf;
    const form = new URLSearchParams(fields);
    if (token !== null && token !== undefined) form.set('_csrf', token);
    return this.request('POST', path, form);
  }

  /** Loads the form page, then submits it: the way a user signs up. */
  async signup(email: string, password: string): Promise<DemoResponse> {
    await this.get('/signup');
    return this.post('/signup', { email, password });
  }

  async login(email: string, password: string): Promise<DemoResponse> {
    await this.get('/login');
    return this.post('/login', { email, password });
  }

  async logout(): Promise<DemoResponse> {
    await this.get('/dashboard');
    return this.post('/logout');
  }

  /** The plan text the dashboard shows ("Free plan" / "Pro plan"), or undefined when not signed in. */
  async plan(): Promise<string | undefined> {
    const page = await this.get('/dashboard');
    return page.status === 200 ? planText(page.body) : undefined;
  }

  private async request(method: string, path: string, form?: URLSearchParams): Promise<DemoResponse> {
    const headers: Record<string, string> = {};
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await fetch(new URL(path, this.baseUrl), { method, headers, body: form?.toString(), redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) this.storeCookie(line);
    const body = await res.text();
    const token = /name="_csrf" value="([^"]+)"/.exec(body)?.[1];
    if (token) this.lastCsrf = token;
    const location = res.headers.get('location');
    return { status: res.status, body, headers: res.headers, location: location ? new URL(location, this.baseUrl).toString() : undefined };
  }

  private storeCookie(line: string): void {
    const [pair = '', ...attributes] = line.split(';');
    const index = pair.indexOf('=');
    const name = pair.slice(0, index).trim();
    const value = pair.slice(index + 1).trim();
    const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a));
    if (expired || value === '') this.cookies.delete(name);
    else this.cookies.set(name, value);
  }
}

export function planText(html: string): string | undefined {
  return /id="plan">([^<]*)</.exec(html)?.[1];
}

/** The text of the page's `<h1>`. */
export function heading(html: string): string | undefined {
  return /<h1>([^<]*)<\/h1>/.exec(html)?.[1];
}

/** The message of the page's alert, HTML entities left as they are. */
export function alertText(html: string): string | undefined {
  return /<p role="alert">([^<]*)<\/p>/.exec(html)?.[1];
}
