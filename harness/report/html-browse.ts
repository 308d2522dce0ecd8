import { esc } from './html-text.js';

/*
 * What makes report.html browsable like Playwright's: a filter by verdict and by firmware, a search
 * over everything a scenario shows (name, reason, checks, transfers), and copy buttons; plain DOM,
 * no library, so that the one file opens offline.
 */

const VERDICT_ORDER = ['FAIL', 'ERROR', 'XPASS', 'PASS', 'XFAIL', 'SKIP'];

/** The filter bar: a box per verdict present (each with its count), the firmwares present, the search field. */
export function filterBar(rows: readonly { verdict: string; firmware: string }[]): string {
  const verdicts = VERDICT_ORDER.filter((v) => rows.some((r) => r.verdict === v));
  const boxes = verdicts.map((v) => `<label><input type="checkbox" class="verdict-filter" value="${v}" checked> <span class="verdict ${v}">${v}</span> ${rows.filter((r) => r.verdict === v).length}</label>`);
  const firmwares = [...new Set(rows.map((r) => r.firmware).filter(Boolean))].sort();
  const select = firmwares.length > 1
    ? `<select id="firmware-filter"><option value="">every firmware</option>${firmwares.map((f) => `<option value="${esc(f)}">${esc(f)}</option>`).join('')}</select>`
    : '';
  return `<div id="filters">${boxes.join(' ')} ${select} <input id="search" type="search" placeholder="search names, reasons, checks, transfers" size="40"> <span id="shown">${rows.length} of ${rows.length} shown</span></div>`;
}

export const BROWSE_STYLE = '#filters{position:sticky;top:0;background:#fff;padding:.5em 0;border-bottom:1px solid #ddd;z-index:1}#filters label{margin-right:.6em}button.copy{font-size:11px}';

/** Applies the filter on every change; a search match opens its scenario. */
export const BROWSE_SCRIPT = `
(() => {
  const scenarios = [...document.querySelectorAll('details.scenario')];
  const firmware = document.getElementById('firmware-filter');
  const search = document.getElementById('search');
  const apply = () => {
    const verdicts = new Set([...document.querySelectorAll('.verdict-filter:checked')].map((i) => i.value));
    const query = search.value.trim().toLowerCase();
    let shown = 0;
    for (const s of scenarios) {
      const match = verdicts.has(s.dataset.verdict) && (!firmware || !firmware.value || s.dataset.firmware === firmware.value) && (!query || s.textContent.toLowerCase().includes(query));
      s.hidden = !match;
      if (match) shown++;
      if (match && query) s.open = true;
    }
    document.getElementById('shown').textContent = shown + ' of ' + scenarios.length + ' shown';
  };
  for (const input of document.querySelectorAll('#filters input, #filters select')) input.addEventListener('input', apply);
  for (const button of document.querySelectorAll('button.copy')) {
    button.addEventListener('click', () => navigator.clipboard.writeText(button.dataset.copy).then(() => { button.textContent = 'copied'; }, () => { button.textContent = 'select it'; }));
  }
})();
`;
