import { html, nothing } from 'lit';
import { dirOf } from '../i18n/index.ts';
import { spendable, type View } from './context.ts';

/**
 * Whole multiples of the program's rate only, so the credit shown is exactly what is posted;
 * up to what this store can spend (a chain store converts only its own lots).
 */
const choices = (balance: number, step: number): number[] => {
  const max = Math.floor(balance / step);
  const picks = new Set([1, 2, 5, 10, max].filter((k) => k >= 1 && k <= max));
  return [...picks].sort((a, b) => a - b).map((k) => k * step);
};

export const convertView = ({ s, f, c }: View) => {
  const m = s.session;
  const rate = m?.program.pointsToCredit;
  if (!m || !rate) return nothing;
  const currency = m.program.currency;
  const options = choices(spendable(m.balances).points, rate.points);
  const arrow = dirOf(f.lang) === 'rtl' ? '←' : '→';
  return html`
    <section class="screen convert" data-screen="convert" aria-labelledby="convert-title">
      <header class="screen-head">
        <button type="button" class="btn ghost back" @click=${() => c.go('home')}>${f.t.back}</button>
        <h1 id="convert-title">${f.t.convertTitle}</h1>
      </header>
      <p class="pill">${f.t.convertRate(f.points(rate.points), f.money(rate.credit, currency))}</p>
      ${
        options.length === 0 || m.card.status !== 'active'
          ? html`<p>${f.t.convertNone}</p>`
          : html`<div class="choices">
              ${options.map(
                (points) => html`<button type="button" class="btn choice" data-points=${points}
                  @click=${() => c.chooseConvert(points)}>
                  <strong>${f.points(points)}</strong><span>${arrow} ${f.money((points / rate.points) * rate.credit, currency)}</span>
                </button>`,
              )}
            </div>`
      }
    </section>
  `;
};
