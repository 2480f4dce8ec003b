/* The AI page: toggle AI per product, save styles and blocked words, block a generated image. */
(function () {
  'use strict';

  function fail(result) {
    var box = document.querySelector('[data-action-error]');
    if (box) { box.textContent = result.error.message; box.hidden = false; }
  }

  document.addEventListener('change', async function (event) {
    var box = event.target.closest('[data-ai-template]');
    if (!box) return;
    var result = await window.Luneo.api('PUT', '/api/admin/ai/templates/' + box.getAttribute('data-ai-template'),
      { ai_enabled: box.checked });
    if (!result.ok) { box.checked = !box.checked; fail(result); }
  });

  document.addEventListener('submit', async function (event) {
    var form = event.target.closest('[data-ai-settings]');
    if (!form) return;
    event.preventDefault();
    var styles = form.elements.styles.value.split('\n').filter(function (l) { return l.trim(); })
      .map(function (line) {
        var parts = line.split('|');
        return { key: (parts[0] || '').trim(), label: (parts[1] || '').trim(), prefix: parts.slice(2).join('|').trim() };
      });
    var result = await window.Luneo.api('PUT', '/api/admin/ai/settings',
      { styles: styles, deny_terms: form.elements.deny_terms.value });
    if (result.ok) window.location.reload(); else fail(result);
  });

  document.addEventListener('click', async function (event) {
    var button = event.target.closest('[data-ai-block]');
    if (!button) return;
    event.preventDefault();
    button.disabled = true;
    var result = await window.Luneo.api('POST', '/api/admin/ai/generations/' + button.getAttribute('data-ai-block') + '/block');
    if (result.ok) window.location.reload(); else { button.disabled = false; fail(result); }
  });
})();
