/* The page to change an ordered design (app/storefront/order_edits.py, on Luneo and through
   Shopify's app proxy): the editor opens on a copy of the ordered design, and its "add to cart"
   step, named "orderEdit" in the page's config, puts the saved new design on the order line
   instead. The design's edit token proves this browser made it: the editor passes it, or keeps
   it in the page's own draft (the key the config names). */
(function () {
  'use strict';

  var root = document.querySelector('[data-luneo-root]');
  var node = root && root.querySelector('script[data-luneo-config]');
  var config = JSON.parse((node && node.textContent) || '{}');

  function draftToken() {
    try {
      var draft = JSON.parse(window.localStorage.getItem(config.draftKey) || 'null');
      return (draft && draft.edit_token) || null;
    } catch (err) {
      return null;
    }
  }

  function show(selector, text) {
    var box = document.querySelector(selector);
    if (!box) return;
    box.textContent = text || '';
    box.hidden = !text;
  }

  async function replace(args) {
    show('[data-order-edit-error]', '');
    var response = await fetch(config.attachUrl, {
      method: 'POST',
      credentials: 'omit',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ design_id: args.designId, edit_token: args.editToken || draftToken() }),
    });
    var payload = null;
    try {
      payload = await response.json();
    } catch (err) {
      payload = null;
    }
    if (!response.ok) {
      var message = (payload && payload.error && payload.error.message) || 'HTTP ' + response.status;
      show('[data-order-edit-error]', message);
      throw new Error(message);
    }
    return { payload: payload };
  }

  window.LuneoAdapters = window.LuneoAdapters || {};
  window.LuneoAdapters.orderEdit = replace;

  document.addEventListener('luneo:added', function (event) {
    var payload = (event.detail && event.detail.response) || {};
    var open = document.querySelector('[data-order-edit-open]');
    var done = document.querySelector('[data-order-edit-done]');
    var preview = document.querySelector('[data-order-edit-preview]');
    if (preview && payload.preview_url) preview.src = payload.preview_url;
    if (payload.old_price !== payload.new_price) {
      show('[data-order-edit-price]', 'The price of the personalization was ' + (payload.old_price || 'nothing') +
        ' and is now ' + (payload.new_price || 'nothing') + ': the difference is not charged or refunded.');
    }
    if (open) open.hidden = true;
    if (done) {
      done.hidden = false;
      done.setAttribute('tabindex', '-1');
      done.focus();
    }
  });

  window.addEventListener('load', function () {
    if (window.Luneo && root) window.Luneo.open(root);
  });
})();
