// The example storefront: lists the demo shop's customizable products, mounts Luneo's editor for
// one, saves a sample design and shows the cart line data — every call through the SDK.
import { createClient, mountEditor, shopifyCartLine, wooAddItemBody } from "./luneo-sdk.js";

const $ = (selector) => document.querySelector(selector);

function showCart(design, variantId, productId) {
  $("[data-cart]").hidden = false;
  $("[data-cart-shopify]").textContent = JSON.stringify({ lines: [shopifyCartLine(design, variantId, 1)] }, null, 2);
  $("[data-cart-woo]").textContent = JSON.stringify(wooAddItemBody(design, productId, 1), null, 2);
}

async function main() {
  const settings = await (await fetch("config.json")).json();
  $("[data-where]").textContent = `This page: ${location.origin} — Luneo: ${settings.luneoUrl}`;
  const luneo = createClient({ luneoUrl: settings.luneoUrl, key: settings.key });
  const { templates } = await luneo.templates();
  $("[data-status]").textContent = `${templates.length} customizable products`;
  let mounted = null;
  for (const item of templates) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = item.product_title;
    button.dataset.productId = item.product_id;
    button.addEventListener("click", async () => {
      const template = await luneo.template(item.product_id);
      const variant = (template.variants || [])[0];
      const variantId = variant ? String(variant.external_id).split("/").pop() : item.product_id;
      $("[data-product]").hidden = false;
      $("[data-product-title]").textContent = template.product.title;
      if (mounted) mounted.unmount();
      mounted = mountEditor($("[data-editor]"), {
        luneoUrl: settings.luneoUrl,
        key: settings.key,
        platform: settings.platform,
        productId: item.product_id,
        variantId,
        label: "Personalize with Luneo",
        onAddToCart: (line) => showCart(line.design, line.variantId, item.product_id),
      });
      $("[data-save]").onclick = async () => {
        const area = template.print_areas[0].key;
        const text = $("[data-text]").value;
        // A form template's text fields take the text (Luneo draws their layers); else a text layer.
        const fields = Object.fromEntries(template.fields.filter((f) => f.kind === "text").map((f) => [f.id, text.slice(0, Number(f.max_chars) || 40)]));
        const layers = Object.keys(fields).length ? [] : [{ type: "text", text, font: template.fonts[0] || "Inter", size_mm: 8, x_mm: 5, y_mm: 5 }];
        const document = { version: 1, areas: { [area]: { layers } }, fields };
        let saved;
        try {
          saved = await luneo.saveDesign({ template_id: template.id, document });
        } catch (err) {
          $("[data-summary]").textContent = `Not saved: ${err.message} ${JSON.stringify(err.problems)}`;
          $("[data-preview-figure]").hidden = false;
          return;
        }
        const picture = await luneo.preview({ template_id: template.id, document, area });
        $("[data-preview]").src = URL.createObjectURL(picture);
        $("[data-summary]").textContent = `${saved.design_id}: ${saved.summary} (${saved.price.total} ${saved.price.currency})`;
        $("[data-preview-figure]").hidden = false;
        showCart(saved, variantId, item.product_id);
      };
    });
    const li = document.createElement("li");
    li.append(button);
    $("[data-templates]").append(li);
  }
}

main().catch((err) => {
  $("[data-status]").textContent = `The example could not reach Luneo: ${err.message}`;
});
