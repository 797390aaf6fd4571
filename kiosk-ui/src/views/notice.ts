import { html } from 'lit';
import type { View } from './context.ts';

/** Unknown, refused (blocked, locked, expired), expired session and unpaired screens. */
export const noticeView = ({ s, f, c }: View) => {
  const { t } = f;
  let title = t.errorGeneric;
  let hint = '';
  if (s.screen === 'unknown-card') [title, hint] = [t.unknownTitle, t.unknownHint];
  else if (s.screen === 'refused') {
    const code = s.refusal ?? 'other';
    [title, hint] = [t.refused[code], code === 'CARD_LOCKED' ? t.lockedHint : t.refusedHint];
  } else if (s.screen === 'session-expired') title = t.sessionExpired;
  else if (s.screen === 'not-paired') title = t.notPaired;
  return html`
    <section class="screen notice-screen" data-screen=${s.screen} data-refusal=${s.refusal ?? ''} role="alert"
      aria-labelledby="notice-title">
      <div class="notice-icon" aria-hidden="true">!</div>
      <h1 id="notice-title">${title}</h1>
      ${hint ? html`<p class="hint">${hint}</p>` : ''}
      ${s.screen === 'not-paired' ? '' : html`<button type="button" class="btn primary" @click=${() => c.finish()}>${t.done}</button>`}
    </section>
  `;
};
