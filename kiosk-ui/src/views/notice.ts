import { html } from 'lit';
import '../elements/lg-pin-pad.ts';
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
  else if (s.screen === 'not-paired') [title, hint] = [t.notPaired, t.pairHint];
  return html`
    <section class="screen notice-screen" data-screen=${s.screen} data-refusal=${s.refusal ?? ''} role="alert"
      aria-labelledby="notice-title">
      <div class="notice-icon" aria-hidden="true">!</div>
      <h1 id="notice-title">${title}</h1>
      ${hint ? html`<p class="hint">${hint}</p>` : ''}
      ${
        s.screen === 'not-paired'
          ? html`${s.pinError ? html`<p class="error" role="alert" data-testid="pair-error">${t.pairWrong}</p>` : ''}
              <lg-pin-pad
                .labels=${{ delete: t.pinDelete, ok: t.pinOk, entered: t.pinEntered, num: f.num }}
                ?disabled=${s.busy}
                @pin=${(e: CustomEvent<string>) => void c.submitPairing(e.detail)}
              ></lg-pin-pad>`
          : html`<button type="button" class="btn primary" @click=${() => c.finish()}>${t.done}</button>`
      }
    </section>
  `;
};
