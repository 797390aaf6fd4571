import { html, LitElement, nothing, type PropertyDeclarations, type TemplateResult } from 'lit';
import type { Controller } from '../controller.ts';
import { catalogue, dirOf, formatFor, LANGS } from '../i18n/index.ts';
import type { Store } from '../store.ts';
import { attractView } from '../views/attract.ts';
import type { View } from '../views/context.ts';
import { convertView } from '../views/convert.ts';
import { historyView } from '../views/history.ts';
import { homeView } from '../views/home.ts';
import { noticeView } from '../views/notice.ts';
import { pinView } from '../views/pin.ts';
import { rewardsView } from '../views/rewards.ts';
import { voucherView } from '../views/voucher.ts';

const VIEWS: Record<string, (v: View) => TemplateResult | typeof nothing> = {
  attract: attractView,
  home: homeView,
  rewards: rewardsView,
  history: historyView,
  convert: convertView,
  pin: pinView,
  voucher: voucherView,
};

/**
 * The whole screen: header (title, language switcher), banners, the current view and the
 * idle warning. Renders into the light DOM so one stylesheet (with the bundled fonts)
 * applies and the page's text is the document's text.
 */
export class LgApp extends LitElement {
  static override properties: PropertyDeclarations = {
    store: { attribute: false },
    controller: { attribute: false },
  };

  declare store: Store | undefined;
  declare controller: Controller | undefined;
  #unsubscribe: (() => void) | undefined;

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#subscribe();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#unsubscribe?.();
  }

  protected override willUpdate(): void {
    this.#subscribe();
    const lang = this.store?.state.lang;
    if (!lang) return;
    // docs/protocol.md: the member's language; fa is right-to-left and the layout mirrors.
    document.documentElement.lang = lang;
    document.documentElement.dir = dirOf(lang);
  }

  #subscribe(): void {
    if (this.#unsubscribe || !this.store) return;
    this.#unsubscribe = this.store.subscribe(() => this.requestUpdate());
  }

  override render() {
    const { store, controller } = this;
    if (!store || !controller) return nothing;
    const s = store.state;
    const f = formatFor(s.lang, s.session?.program.timezone);
    const view: View = { s, f, c: controller };
    const render = VIEWS[s.screen] ?? noticeView;
    const readerDown = s.reader === 'offline' || s.reader === 'error';
    return html`
      <header class="top">
        <span class="brand">${f.t.title}</span>
        <div class="langs" role="group" aria-label=${f.t.language}>
          ${LANGS.map(
            (l) => html`<button type="button" class="lang" lang=${l} dir=${dirOf(l)} data-lang=${l}
              aria-pressed=${s.lang === l ? 'true' : 'false'} @click=${() => controller.setLang(l)}>
              ${catalogue[l].langName}</button>`,
          )}
        </div>
      </header>
      ${
        s.connection !== 'online'
          ? html`<div class="banner banner-gateway" role="status" data-testid="gateway-offline">${f.t.gatewayOffline}</div>`
          : nothing
      }
      ${readerDown ? html`<div class="banner banner-reader" role="alert" data-testid="reader-offline">${f.t.readerOffline}</div>` : nothing}
      <main>${render(view)}</main>
      ${
        s.idleWarning !== null
          ? html`<div class="overlay" role="alertdialog" aria-modal="true" aria-labelledby="idle-title" data-testid="idle-warning">
              <div class="dialog">
                <h2 id="idle-title">${f.t.stillThere}</h2>
                <p>${f.t.endingIn(f.num(s.idleWarning))}</p>
                <button type="button" class="btn primary" data-testid="stay" @click=${() => controller.activity()}>${f.t.stay}</button>
              </div>
            </div>`
          : nothing
      }
    `;
  }
}

customElements.define('lg-app', LgApp);
