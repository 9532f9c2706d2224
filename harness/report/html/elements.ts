import { esc } from './page.ts';

/** Small HTML builders for report tables: cells take HTML (escape text with `esc` first). */

/** A `<td>`, with a class when given. */
export function td(html: string | number, cls = ''): string {
  return `<td${cls ? ` class="${cls}"` : ''}>${html}</td>`;
}

/** A right-aligned number cell. */
export function num(value: string | number, extraClass = ''): string {
  return td(typeof value === 'number' ? String(value) : value, `num${extraClass ? ` ${extraClass}` : ''}`);
}

/** A `<tr>` of cells already rendered, with a class when given. */
export function tr(cells: readonly string[], cls = ''): string {
  return `<tr${cls ? ` class="${cls}"` : ''}>${cells.join('')}</tr>`;
}

/** A header row from plain texts. */
export function headRow(heads: readonly string[]): string {
  return `<tr>${heads.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>`;
}

/** A table with an id, a header row and rendered rows, one row per line. */
export function table(id: string, heads: readonly string[], rows: readonly string[], attrs = ''): string {
  return `<table id="${id}"${attrs}>${headRow(heads)}\n${rows.join('\n')}</table>`;
}

/** The class a result status is shown in. */
export function statusClass(status: 'passed' | 'failed' | 'not_run'): string {
  return status === 'passed' ? 'pass' : status === 'failed' ? 'fail' : 'muted';
}
