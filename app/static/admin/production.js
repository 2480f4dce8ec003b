/* The order page's "Retry production" button: POST the retry, then show the job queued again. */
(function () {
  'use strict';

  async function retry(button) {
    if (button.disabled) return;
    button.disabled = true;
    button.classList.add('is-busy');
    var result = await window.Luneo.api('POST', button.getAttribute('data-retry-production'));
    if (result.ok) {
      window.location.reload();
      return;
    }
    button.disabled = false;
    button.classList.remove('is-busy');
    var box = button.closest('[data-production]').querySelector('[data-retry-error]');
    if (box) {
      box.textContent = result.error.message;
      box.hidden = false;
    }
  }

  document.addEventListener('click', function (event) {
    var button = event.target.closest('[data-retry-production]');
    if (!button) return;
    event.preventDefault();
    retry(button);
  });
})();
