import { html, nothing } from 'lit';
import type { View } from './context.ts';

const signed = (text: string, n: number): string => (n > 0 ? `+${text}` : text);

export const historyView = ({ s, f, c }: View) => {
  const m = s.session;
  if (!m) return nothing;
  const currency = m.program.currency;
  const rewardName = (id: string | undefined) => {
    const r = id ? m.rewards.find((x) => x.id === id) : undefined;
    return r ? f.name(r.names) : '';
  };
  return html`
    <section class="screen history" data-screen="history" aria-labelledby="history-title">
      <header class="screen-head">
        <button type="button" class="btn ghost back" @click=${() => c.go('home')}>${f.t.back}</button>
        <h1 id="history-title">${f.t.history}</h1>
      </header>
      ${
        s.history === null
          ? html`<p role="status">${f.t.busy}</p>`
          : s.history.length === 0
            ? html`<p>${f.t.historyEmpty}</p>`
            : html`<table class="history-table">
                <tbody>
                  ${s.history.map(
                    (e) => html`<tr>
                      <td>${f.date(e.at)}</td>
                      <td>${f.t.kinds[e.kind] ?? e.kind} ${rewardName(e.description)}</td>
                      <td class="num">${e.points !== 0 ? signed(f.num(e.points), e.points) : ''}</td>
                      <td class="num">${e.credit !== 0 ? signed(f.money(e.credit, currency), e.credit) : ''}</td>
                    </tr>`,
                  )}
                </tbody>
              </table>`
      }
    </section>
  `;
};
