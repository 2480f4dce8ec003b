/* The design recovery page (app/storefront/recovery.py on Luneo and through Shopify's app proxy;
   the WordPress plugin's class-luneo-recovery.php on a WooCommerce store): the editor's "add to
   cart" step, named "recovery" in the page's config, attaches the saved design to the order line
   instead. The design's edit token proves this browser made it: the editor passes it, or keeps
   it in its draft (localStorage, the key cart.js's draftKey makes). */
(function () {
  'use strict';

  var root = document.querySelector('[data-luneo-root]');
  var node = root && root.querySelector('script[data-luneo-config]');
  var config = JSON.parse((node && node.textContent) || '{}');

  function draftToken() {
    try {
      var key = 'luneo:draft:' + (config.platform || 'shop') + ':' + config.productId;
      var draft = JSON.parse(window.localStorage.getItem(key) || 'null');
      return (draft && draft.edit_token) || null;
    } catch (err) {
      return null;
    }
  }

  async function attach(args) {
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
      throw new Error((payload && payload.error && payload.error.message) || 'HTTP ' + response.status);
    }
    return { payload: payload };
  }

  window.LuneoAdapters = window.LuneoAdapters || {};
  window.LuneoAdapters.recovery = attach;

  document.addEventListener('luneo:added', function () {
    var open = document.querySelector('[data-recovery-open]');
    var done = document.querySelector('[data-recovery-done]');
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
