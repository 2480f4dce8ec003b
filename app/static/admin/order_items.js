/* The order page's personalization buttons: "Send the link again" and "Produce anyway" POST to
   the admin API (window.Luneo.api adds the session token or the CSRF token), then say what
   happened, or reload the page when the line moved to production. "Produce anyway" asks first
   (data-confirm, the shared confirm.js). */
(function () {
  'use strict';

  async function run(button) {
    if (button.disabled) return;
    var box = button.closest('[data-order-item]').querySelector('[data-item-action-result]');
    button.disabled = true;
    button.classList.add('is-busy');
    var result = await window.Luneo.api('POST', button.getAttribute('data-item-action'));
    button.classList.remove('is-busy');
    if (result.ok && button.hasAttribute('data-reload')) {
      window.location.reload();
      return;
    }
    if (box) {
      box.textContent = result.ok ? button.getAttribute('data-done') : result.error.message;
      box.classList.toggle('field-error', !result.ok);
      box.hidden = false;
    }
    button.disabled = result.ok;
  }

  document.addEventListener('click', function (event) {
    var button = event.target.closest('[data-item-action]');
    if (!button) return;
    event.preventDefault();
    run(button);
  });
})();
