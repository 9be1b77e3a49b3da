/**
 * The dashboard's stylesheet. Every text colour is at least 4.5:1 against its background
 * (most are above 7:1), state is never told by colour alone (badges carry words), and focus
 * is a thick outline on every interactive element.
 */
export const DASHBOARD_CSS = `
:root {
  color-scheme: light;
  --text: #1b1f24;
  --muted: #4b5563;
  --line: #c9d1d9;
  --bg: #ffffff;
  --panel: #f6f8fa;
  --link: #0a58ca;
  --accent: #1d4ed8;
  --focus: #1d4ed8;
  --ok-text: #0f5132; --ok-bg: #d1e7dd;
  --bad-text: #842029; --bad-bg: #f8d7da;
  --none-text: #41464b; --none-bg: #e2e3e5;
  --teardown-text: #664d03; --teardown-bg: #fff3cd;
  --tag-text: #1e3a8a; --tag-bg: #dbeafe;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
}
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--text); background: var(--bg); }
a { color: var(--link); }
code, pre, .mono { font-family: var(--mono); font-size: 13px; }
[hidden] { display: none !important; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }

.skip-link { position: absolute; left: 8px; top: -48px; background: var(--bg); color: var(--link); padding: 8px 12px; z-index: 10; border: 2px solid var(--focus); }
.skip-link:focus { top: 8px; }

.top { display: flex; align-items: center; gap: 16px; padding: 10px 24px; background: #111827; color: #f9fafb; }
.top .brand { color: #f9fafb; font-weight: 600; text-decoration: none; }
.top .brand:hover { text-decoration: underline; }
.top :focus-visible { outline-color: #93c5fd; }
.connection { margin: 0 0 0 auto; font-size: 13px; }
.connection::before { content: ""; display: inline-block; width: 9px; height: 9px; border-radius: 50%; margin-right: 6px; background: #9ca3af; }
.connection.live::before { background: #4ade80; }
.connection.down::before { background: #f87171; }
.top button.quiet { background: transparent; color: #f9fafb; border: 1px solid #9ca3af; }

main { max-width: 1280px; margin: 0 auto; padding: 16px 24px 48px; }
main:focus { outline: none; }
h1 { font-size: 24px; margin: 12px 0 16px; }
h2 { font-size: 18px; margin: 28px 0 10px; }

label { display: block; font-weight: 600; font-size: 13px; margin-bottom: 4px; }
input, select { font: inherit; color: var(--text); background: var(--bg); border: 1px solid #6b7280; border-radius: 6px; padding: 6px 8px; min-width: 0; }
input::placeholder { color: #595f69; }
button { font: inherit; font-weight: 600; border-radius: 6px; padding: 7px 14px; cursor: pointer; border: 1px solid var(--accent); background: var(--accent); color: #ffffff; }
button.secondary { background: var(--bg); color: var(--text); border-color: #6b7280; }
button:hover { filter: brightness(0.95); }
button[aria-disabled="true"] { cursor: progress; }
small { display: block; color: var(--muted); font-size: 12px; margin-top: 2px; }

.filters, .replay { display: flex; flex-wrap: wrap; align-items: flex-end; gap: 12px 16px; padding: 14px 16px; background: var(--panel); border: 1px solid var(--line); border-radius: 8px; }
.filters .field input, .filters .field select { width: 13em; }
input, select { height: 2.4em; }
.replay .field input { width: 7em; }
.actions { display: flex; gap: 8px; flex-wrap: wrap; }
.summary { color: var(--muted); margin: 12px 0 4px; min-height: 1.5em; }
.error { color: var(--bad-text); font-weight: 600; margin: 8px 0; }
.error:empty, .result:empty { display: none; }
.result { margin: 10px 0 0; }
.note { background: var(--teardown-bg); color: var(--teardown-text); padding: 8px 12px; border-radius: 6px; }

.scroll { overflow-x: auto; }
table { width: 100%; border-collapse: collapse; }
caption { text-align: left; font-weight: 600; padding: 6px 0; }
th, td { text-align: left; padding: 8px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { font-size: 13px; color: var(--muted); border-bottom: 2px solid var(--line); white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tbody tr:hover { background: var(--panel); }
table.events tbody tr { cursor: pointer; }
table.events td:first-child a { font-weight: 600; }
td .sub { display: block; color: var(--muted); font-size: 13px; }
td.empty { color: var(--muted); text-align: center; padding: 24px; cursor: default; }
time { font-variant-numeric: tabular-nums; white-space: nowrap; }
@keyframes arrived { from { background: #fff3a8; } to { background: transparent; } }
tr.arrived td { animation: arrived 2.5s ease-out; }
@media (prefers-reduced-motion: reduce) { tr.arrived td { animation: none; } }

.badge, .tag { display: inline-block; font-size: 12px; font-weight: 600; line-height: 1.4; padding: 1px 8px; border-radius: 999px; white-space: nowrap; }
.tag { margin-left: 6px; background: var(--tag-bg); color: var(--tag-text); }
.tag.teardown { background: var(--teardown-bg); color: var(--teardown-text); }
.badge.ok { background: var(--ok-bg); color: var(--ok-text); }
.badge.failed { background: var(--bad-bg); color: var(--bad-text); }
.badge.none { background: var(--none-bg); color: var(--none-text); }
.tags .tag:first-child { margin-left: 0; }

.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; overflow-wrap: anywhere; }
.panel { margin-top: 20px; }
.panel h2 { margin-top: 0; }
.back { margin: 8px 0 0; }
pre.code { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; max-height: 32em; overflow: auto; margin: 0; }
table.headers td:first-child { white-space: nowrap; font-family: var(--mono); font-size: 13px; }
table.headers td:last-child { font-family: var(--mono); font-size: 13px; overflow-wrap: anywhere; }
table.timeline td.answer { font-family: var(--mono); font-size: 12px; overflow-wrap: anywhere; max-width: 28em; }
.login { max-width: 32em; }
.login form { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
.login label { flex-basis: 100%; }
.login input { flex: 1; }
`;
