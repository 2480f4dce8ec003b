/* The settings page's "Changes after the order" form: PUT to the admin API (window.Luneo.api
   adds the session token or the CSRF token), then say whether it was saved. */
(function () {
  'use strict';

  document.addEventListener('submit', async function (event) {
    var form = event.target.closest('[data-order-edits-form]');
    if (!form) return;
    event.preventDefault();
    var box = form.querySelector('[data-order-edits-result]');
    var chosen = form.querySelector('input[name="mode"]:checked');
    var body = { mode: chosen ? chosen.value : null, hours: form.querySelector('input[name="hours"]').value };
    var button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    var result = await window.Luneo.api('PUT', form.getAttribute('action'), body);
    button.disabled = false;
    box.textContent = result.ok ? 'Saved.' : result.error.message;
    box.classList.toggle('field-error', !result.ok);
    box.hidden = false;
  });
})();
