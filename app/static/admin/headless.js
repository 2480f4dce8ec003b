/* Headless storefront: create, rotate or revoke the key, save the allowed sites. */
(function () {
  'use strict';

  function fail(message, form, fields) {
    var box = document.querySelector('[data-action-error]');
    if (box) { box.textContent = message; box.hidden = false; }
    if (!form) return;
    form.querySelectorAll('[data-error-for]').forEach(function (el) {
      el.textContent = (fields || {})[el.getAttribute('data-error-for')] || '';
    });
  }

  document.addEventListener('click', async function (event) {
    var button = event.target.closest('[data-headless-action]');
    if (!button) return;
    event.preventDefault();
    button.disabled = true;
    var result = await window.Luneo.api(button.getAttribute('data-headless-action'), '/api/admin/headless-key');
    if (result.ok) window.location.reload(); else { button.disabled = false; fail(result.error.message); }
  });

  document.addEventListener('submit', async function (event) {
    var form = event.target.closest('[data-headless-origins]');
    if (!form) return;
    event.preventDefault();
    var button = form.querySelector('[type="submit"]');
    button.disabled = true;
    var result = await window.Luneo.api('PUT', '/api/admin/headless-key/origins', { origins: form.elements.origins.value });
    button.disabled = false;
    if (result.ok) window.location.reload(); else fail(result.error.message, form, result.error.fields);
  });
})();
