// The shopper's design on each personalised line of the Thank you and Order status pages, where
// Shopify shows the product's own photo (a Cart Transform's line image lasts only until checkout).
// One module serves both targets: each gives the line as `shopify.target` (a signal, so the picture
// follows the line), and Shopify renders what this puts in `document.body` under the line.
// On the Order status page — shown only to the customer who owns the order — the line also gets
// the private link to change its design, from the order's `$app`/`design_links` metafield
// (`shopify.appMetafields`). The Thank you page comes before Luneo has the order: a line with a
// design says that the e-mail with that link is on its way.
import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { changeLinkOf, designOf, previewOf } from "./line.js";

const ORDER_STATUS = "customer-account.order-status.cart-line-item.render-after";
const THANK_YOU = "purchase.thank-you.cart-line-item.render-after";

export default async () => {
  render(<LinePreview />, document.body);
};

function LinePreview() {
  const line = shopify.target.value;
  const attributes = line && line.attributes;
  const target = shopify.extension && shopify.extension.target;
  const src = previewOf(attributes);
  const t = (key, replacements) => shopify.i18n.translate(key, replacements);
  const after = target === ORDER_STATUS ? <ChangeLink attributes={attributes} t={t} /> : null;
  const note =
    target === THANK_YOU && designOf(attributes) ? <s-text color="subdued">{t("changeByEmail")}</s-text> : null;
  if (!src && !after && !note) return null;
  return (
    <s-stack gap="small-300">
      {src ? (
        <s-box maxInlineSize="240px">
          <s-image src={src} alt={t("design")} aspectRatio="1" objectFit="contain" loading="lazy" borderRadius="base" />
        </s-box>
      ) : null}
      {src ? (
        <s-link href={src} target="_blank">
          {t("enlarge")}
        </s-link>
      ) : null}
      {after}
      {note}
    </s-stack>
  );
}

function ChangeLink({ attributes, t }) {
  const entries = shopify.appMetafields ? shopify.appMetafields.value : null;
  const change = changeLinkOf(attributes, entries);
  if (!change) return null;
  const until = change.until
    ? t("changeUntil", { date: shopify.i18n.formatDate(change.until, { dateStyle: "medium", timeStyle: "short" }) })
    : t("changeUntilMade");
  return (
    <s-stack gap="small-100">
      <s-link href={change.url} target="_blank">
        {t("change")}
      </s-link>
      <s-text color="subdued">{until}</s-text>
    </s-stack>
  );
}
