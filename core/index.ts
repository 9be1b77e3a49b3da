export { isLoopbackHost } from './loopback.js';
export { listen, freePort, type Listening } from './http.js';
export { onShutdown, shutdown } from './shutdown.js';
export { plural } from './text.js';
export { isRecord } from './objects.js';
export { html, raw, escapeHtml, SafeHtml } from './html.js';
export { httpUrl } from './url.js';
export { endpointUrl, isAbsoluteUrl } from './endpoint-url.js';
export { EMULATOR_SECRET_KEY, randomEventId, randomWebhookSecret } from './stripe-ids.js';
