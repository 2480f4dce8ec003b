/* The page to change an ordered design (app/storefront/order_edits.py, on Luneo and through
   Shopify's app proxy): the editor opens on a copy of the ordered design, and its "add to cart"
   step, named "orderEdit" in the page's config, puts the saved new design on the order line
   instead. Its draft is the page's own (the key the config names). */
import { signedPage } from './signed_page.js';

function show(selector, text) {
  var box = document.querySelector(selector);
  if (!box) return;
  box.textContent = text || '';
  box.hidden = !text;
}

signedPage({
  name: 'order-edit',
  adapter: 'orderEdit',
  draftKey: function (config) {
    return config.draftKey;
  },
  onError: function (message) {
    show('[data-order-edit-error]', message);
  },
  onDone: function (payload) {
    var preview = document.querySelector('[data-order-edit-preview]');
    if (preview && payload.preview_url) preview.src = payload.preview_url;
    if (payload.old_price !== payload.new_price) {
      show('[data-order-edit-price]', 'The price of the personalization was ' + (payload.old_price || 'nothing') +
        ' and is now ' + (payload.new_price || 'nothing') + ': the difference is not charged or refunded.');
    }
  },
});
