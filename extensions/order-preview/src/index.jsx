// The shopper's design on each personalised line of the Thank you and Order status pages, where
// Shopify shows the product's own photo (a Cart Transform's line image lasts only until checkout).
// One module serves both targets: each gives the line as `shopify.target` (a signal, so the picture
// follows the line), and Shopify renders what this puts in `document.body` under the line.
import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { previewOf } from "./line.js";

export default async () => {
  render(<LinePreview />, document.body);
};

function LinePreview() {
  const line = shopify.target.value;
  const src = previewOf(line && line.attributes);
  if (!src) return null;
  const t = (key) => shopify.i18n.translate(key);
  return (
    <s-stack gap="small-300">
      <s-box maxInlineSize="240px">
        <s-image src={src} alt={t("design")} aspectRatio="1" objectFit="contain" loading="lazy" borderRadius="base" />
      </s-box>
      <s-link href={src} target="_blank">
        {t("enlarge")}
      </s-link>
    </s-stack>
  );
}
