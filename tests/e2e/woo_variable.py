"""A WooCommerce variable product, as its product page and its add to cart behave.

What the widget meets on such a page (WooCommerce's ``single-product/add-to-cart/variable.php``
and ``add-to-cart-variation.js``, as they document and ship them):

* ``form.variations_form.cart`` lists every variation's attributes in
  ``data-product_variations`` (JSON), or ``false`` when there are too many and the script asks
  the store for the matching one (``?wc-ajax=get_variation``);
* one select per attribute (``name="attribute_pa_size"``, values are slugs, labels in
  ``table.variations``), and a hidden ``variation_id`` ("0" until a variation is chosen);
* the script clears ``variation_id`` on any change of a select, then sets it to the variation
  matching every chosen attribute (nothing while one is unchosen), and keeps the add-to-cart
  button ``disabled`` until then;
* the POST (``WC_Form_Handler::add_to_cart_handler_variable``) refuses a variation whose
  attributes the posted selects contradict: "Invalid value posted for Size", or "Size is a
  required field." when one is missing.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class WooAttribute:
    name: str  # the form's name: attribute_pa_size
    label: str  # Size
    options: Mapping[str, str]  # slug → label: {"small": "11 oz"}


@dataclass(frozen=True)
class WooVariation:
    id: str
    attributes: Mapping[str, str]  # form name → slug ("" for any)
    price: Decimal


@dataclass(frozen=True)
class WooVariable:
    """The product's attributes and variations; ``ajax``: the page does not list them."""

    attributes: Sequence[WooAttribute]
    variations: Sequence[WooVariation]
    ajax: bool = False

    def listed(self) -> list[dict[str, object]]:
        """``data-product_variations``: what ``WC_Product_Variable::get_available_variations``
        gives each variation (the fields the script reads)."""
        return [
            {
                "variation_id": int(v.id),
                "attributes": dict(v.attributes),
                "display_price": float(v.price),
                "is_in_stock": True,
                "is_purchasable": True,
            }
            for v in self.variations
        ]

    def matching(self, chosen: Mapping[str, str]) -> WooVariation | None:
        """The variation the chosen attributes agree with (``find_matching_product_variation``)."""
        for variation in self.variations:
            if all(value in ("", chosen.get(name)) for name, value in variation.attributes.items()):
                return variation
        return None

    def refusal(self, variation_id: str, posted: Mapping[str, str]) -> str | None:
        """``add_to_cart_handler_variable``'s notice for this POST, None when it adds the line."""
        variation = next((v for v in self.variations if v.id == variation_id), None)
        if variation is None:
            return 'Please choose product options by visiting <a href="">Mug</a>.'
        labels = {a.name: a.label for a in self.attributes}
        missing = []
        for name, expected in variation.attributes.items():
            value = posted.get(name, "")
            if value == "":
                missing.append(labels[name])
            elif expected not in ("", value):
                return f"Invalid value posted for {labels[name]}"
        if missing:
            verb = "is a required field" if len(missing) == 1 else "are required fields"
            return f"{' and '.join(missing)} {verb}."
        return None

    def form(self, product_id: str, store_url: str, root: str, title: str) -> str:
        """``variable.php``: the selects, then the add-to-cart block with the plugin's root."""
        listed = "false" if self.ajax else json.dumps(self.listed())
        rows = "".join(
            f'<tr><th class="label"><label for="{a.name[10:]}">{html.escape(a.label)}</label></th>'
            f'<td class="value"><select id="{a.name[10:]}" name="{a.name}"'
            f' data-attribute_name="{a.name}"><option value="">Choose an option</option>'
            + "".join(
                f'<option value="{slug}">{html.escape(label)}</option>'
                for slug, label in a.options.items()
            )
            + "</select></td></tr>"
            for a in self.attributes
        )
        return f"""<form class="variations_form cart" action="{store_url}/product/mug/"
  method="post" enctype="multipart/form-data" data-product_id="{product_id}"
  data-product_variations="{html.escape(listed)}">
<table class="variations" role="presentation"><tbody>{rows}</tbody></table>
<div class="single_variation_wrap"><div class="woocommerce-variation single_variation"></div>
<div class="woocommerce-variation-add-to-cart variations_button">
  {root}
  <div class="quantity"><label class="screen-reader-text" for="quantity">{title} quantity</label>
    <input type="number" id="quantity" class="input-text qty text" name="quantity" value="1"
      min="1" step="1"></div>
  <button type="submit" class="single_add_to_cart_button button alt disabled
    wc-variation-selection-needed">Add to cart</button>
  <input type="hidden" name="add-to-cart" value="{product_id}">
  <input type="hidden" name="product_id" value="{product_id}">
  <input type="hidden" name="variation_id" class="variation_id" value="0">
</div></div>
</form>
<script>{VARIATION_SCRIPT}</script>"""


# add-to-cart-variation.js, the parts the widget meets (WooCommerce ships it with jQuery; these
# are its observable rules, without jQuery).
VARIATION_SCRIPT = """
(function () {
  var form = document.querySelector('form.variations_form');
  var variations = JSON.parse(form.getAttribute('data-product_variations'));
  var input = form.querySelector('input.variation_id');
  var button = form.querySelector('.single_add_to_cart_button');
  var pending = 0;
  function chosen() {
    var picked = {};
    form.querySelectorAll('.variations select').forEach(function (s) {
      picked[s.getAttribute('data-attribute_name') || s.name] = s.value;
    });
    return picked;
  }
  function matches(variation, picked) {
    return Object.keys(variation.attributes).every(function (name) {
      var value = variation.attributes[name];
      return value === '' || value === picked[name];
    });
  }
  function show(variation) {
    input.value = variation ? String(variation.variation_id) : '';
    button.classList.toggle('disabled', !variation);
    button.classList.toggle('wc-variation-selection-needed', !variation);
  }
  function check() {
    input.value = '';
    var picked = chosen();
    var complete = Object.keys(picked).every(function (name) { return picked[name] !== ''; });
    if (!complete) return show(null);
    if (variations !== false) {
      return show(variations.filter(function (v) { return matches(v, picked); })[0] || null);
    }
    var ticket = ++pending;
    var body = new URLSearchParams(picked);
    body.set('product_id', form.getAttribute('data-product_id'));
    fetch('/?wc-ajax=get_variation', { method: 'POST', body: body })
      .then(function (r) { return r.json(); })
      .then(function (variation) { if (ticket === pending) show(variation || null); });
  }
  form.addEventListener('change', function (event) {
    if (event.target.matches('.variations select')) check();
  });
  button.addEventListener('click', function (event) {
    if (button.classList.contains('disabled')) event.preventDefault();
  });
})();
"""
