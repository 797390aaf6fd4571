import { html } from 'lit';
import type { View } from './context.ts';

const CARD_ICON = html`<svg class="card-icon" viewBox="0 0 120 90" aria-hidden="true">
  <rect x="10" y="18" width="84" height="56" rx="8" fill="none" stroke="currentColor" stroke-width="5" />
  <path d="M100 20 q12 25 0 50 M110 12 q18 33 0 66" fill="none" stroke="currentColor" stroke-width="5" stroke-linecap="round" />
</svg>`;

/** The idle screen: what to do, in the language on screen (the switcher is in the header). */
export const attractView = ({ f }: View) => html`
  <section class="screen attract" aria-labelledby="attract-title" data-screen="attract">
    ${CARD_ICON}
    <h1 id="attract-title">${f.t.tapCard}</h1>
    <p class="hint">${f.t.tapHint}</p>
  </section>
`;
