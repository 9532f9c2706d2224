import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** uPlot (48 KB, no dependencies, fast on large series) inlined so the page opens offline from file://. */
function uplotAssets(): { js: string; css: string } {
  const dir = require.resolve('uplot/dist/uPlot.iife.min.js').replace(/uPlot\.iife\.min\.js$/, '');
  return { js: readFileSync(`${dir}uPlot.iife.min.js`, 'utf8'), css: readFileSync(`${dir}uPlot.min.css`, 'utf8') };
}

/** Text made safe for HTML element content and attribute values. */
export function esc(value: unknown): string {
  return String(value ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

/** JSON for a <script> block: `<` escaped so no value can close the script element. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

const STYLE = `
:root{--ok:#1a7f37;--bad:#cf222e;--warn:#9a6700;--muted:#57606a;--line:#d0d7de;--bg:#f6f8fa}
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1f2328}
header{padding:18px 28px;border-bottom:1px solid var(--line)}main{padding:8px 28px 40px;max-width:1400px}
h1{font-size:20px;margin:0}h2{font-size:16px;margin:28px 0 10px}small,.muted{color:var(--muted)}
table{border-collapse:collapse;margin:6px 0;font-variant-numeric:tabular-nums}
th,td{border:1px solid var(--line);padding:5px 9px;text-align:left;vertical-align:top}
th{background:var(--bg)}td.num{text-align:right}
.pass{color:var(--ok);font-weight:600}.fail{color:var(--bad);font-weight:600}.warn{color:var(--warn);font-weight:600}
.differs{background:#fff8c5}.failed{background:#ffebe9}tr.total td{font-weight:600;background:var(--bg)}
.banner{padding:12px 16px;border-radius:6px;font-weight:600;margin:14px 0}
.banner.pass{background:#dafbe1;color:var(--ok)}.banner.fail{background:#ffebe9;color:var(--bad)}.chart{margin:8px 0 0}
`;

/** Nothing may load from anywhere: styles and scripts are inline, images data: URLs. */
const CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

/** A complete, self-contained HTML page: styles, uPlot and the page's own script inline; no network request. */
export function page(title: string, body: string, script: string): string {
  const { js, css } = uplotAssets();
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<title>${esc(title)}</title><style>${css}${STYLE}</style></head>
<body>${body}
<script>${js}</script>
<script>${script}</script>
</body></html>
`;
}
