/* Fonts & clipart: upload a file with its form (each field's problem under it), delete a row. */
(function () {
  'use strict';

  function fail(message) {
    var box = document.querySelector('[data-action-error]');
    if (box) { box.textContent = message; box.hidden = false; }
  }

  function showProblems(form, fields) {
    form.querySelectorAll('[data-error-for]').forEach(function (el) { el.textContent = ''; });
    form.querySelectorAll('[aria-invalid]').forEach(function (el) { el.removeAttribute('aria-invalid'); });
    Object.keys(fields || {}).forEach(function (name) {
      var error = form.querySelector('[data-error-for="' + name + '"]');
      var input = form.querySelector('[name="' + name + '"]');
      if (error) error.textContent = fields[name];
      if (input) input.setAttribute('aria-invalid', 'true');
    });
  }

  document.addEventListener('submit', async function (event) {
    var form = event.target.closest('[data-asset-upload], [data-asset-json]');
    if (!form) return;
    event.preventDefault();
    var button = form.querySelector('[type="submit"]');
    button.disabled = true;
    var result = form.hasAttribute('data-asset-upload')
      ? await window.Luneo.api('POST', form.getAttribute('data-asset-upload'), new FormData(form))
      : await window.Luneo.api('POST', form.getAttribute('data-asset-json'), Object.fromEntries(new FormData(form)));
    button.disabled = false;
    if (result.ok) {
      var notes = (result.data && (result.data.removed || []).length)
        ? 'Made safe: removed ' + result.data.removed.join(', ') + '. ' : '';
      notes += (result.data && result.data.warnings || []).join(' ');
      if (notes) window.sessionStorage.setItem('luneo-asset-note', notes);
      window.location.reload();
      return;
    }
    showProblems(form, result.error.fields);
    fail(result.error.message);
  });

  var note = window.sessionStorage.getItem('luneo-asset-note');
  if (note) {
    window.sessionStorage.removeItem('luneo-asset-note');
    var box = document.querySelector('[data-asset-note]');
    if (box) { box.textContent = note; box.hidden = false; }
  }

  document.addEventListener('click', async function (event) {
    var button = event.target.closest('[data-asset-delete]');
    if (!button) return;
    event.preventDefault();
    button.disabled = true;
    var result = await window.Luneo.api('DELETE', button.getAttribute('data-asset-delete'));
    if (result.ok) window.location.reload(); else { button.disabled = false; fail(result.error.message); }
  });
})();
