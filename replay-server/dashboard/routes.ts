import express, { type Response } from 'express';
import { EVENT_PAGE, EVENTS_PAGE } from './pages.js';
import { DASHBOARD_SCRIPT } from './script.js';
import { DASHBOARD_CSS } from './styles.js';

/**
 * Only this server's own files, no inline script or style, no framing: an injected string
 * could run nowhere, and the token the page holds could be sent nowhere else.
 */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

/**
 * The dashboard: `/` lists events, `/events/:id` shows one. The pages and their script hold no
 * data; they read it from /api, so they are served without the token and /api asks for it.
 *
 * With a token, the page asks for it once and keeps it in sessionStorage, sending it as
 * `Authorization: Bearer` on each fetch (the event stream included). We chose this over a
 * `?token=` link that sets an HttpOnly cookie: a cookie is sent by the browser on its own, so
 * any page the user visits could make it POST a replay (which makes this server POST to any
 * target) unless every route also checked origins; and a token in a URL lands in history,
 * logs and shared links. What sessionStorage risks is script injection on this origin, which
 * the CSP above and text-only rendering (no innerHTML) close off.
 */
export function dashboardRoutes(): express.Router {
  const router = express.Router();
  const send = (res: Response, type: string, body: string) => res.set(SECURITY_HEADERS).type(type).send(body);
  router.get('/', (_req, res) => send(res, 'html', EVENTS_PAGE));
  router.get('/events/:id', (_req, res) => send(res, 'html', EVENT_PAGE));
  router.get('/dashboard/app.js', (_req, res) => send(res, 'text/javascript', DASHBOARD_SCRIPT));
  router.get('/dashboard/app.css', (_req, res) => send(res, 'css', DASHBOARD_CSS));
  return router;
}
