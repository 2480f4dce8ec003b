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

  // Styles: the form's rows (label, prompt prefix; the key stays hidden) sent as JSON; each
  // row's problems shown under its cells. Without this script the form posts itself.
  function styleRows(form) {
    return Array.prototype.map.call(form.querySelectorAll('[data-style-row]'), function (row) {
      function cell(name) { var el = row.querySelector('[data-cell="' + name + '"]'); return el ? el : null; }
      var remove = cell('remove');
      return { row: row, removed: !!(remove && remove.checked),
        value: { key: cell('key').value, label: cell('label').value, prefix: cell('prefix').value } };
    });
  }

  function showRowProblems(form, rows, fields) {
    form.querySelectorAll('[data-error-for]').forEach(function (el) { el.textContent = ''; });
    form.querySelectorAll('[data-cell][aria-invalid]').forEach(function (el) { el.removeAttribute('aria-invalid'); });
    Object.keys(fields || {}).forEach(function (name) {
      var parts = name.split('.');  // styles.<i>.<cell>
      var row = parts[0] === 'styles' && rows[Number(parts[1])];
      if (!row) return;
      var cell = parts[2] === 'key' ? 'prefix' : parts[2];
      var error = row.row.querySelector('[data-error-for="' + cell + '"]');
      var input = row.row.querySelector('[data-cell="' + cell + '"]');
      if (error) error.textContent = fields[name];
      if (input) input.setAttribute('aria-invalid', 'true');
    });
  }

  var addButton = document.querySelector('[data-style-add]');
  if (addButton) {
    addButton.hidden = false;
    addButton.addEventListener('click', function () {
      var list = document.querySelector('[data-style-rows]');
      var rows = list.querySelectorAll('[data-style-row]');
      var copy = rows[rows.length - 1].cloneNode(true);
      var index = rows.length;
      copy.querySelectorAll('input').forEach(function (input) {
        input.name = input.name.replace(/^styles-\d+-/, 'styles-' + index + '-');
        if (input.type === 'checkbox') input.closest('label').remove(); else input.value = '';
        input.removeAttribute('aria-invalid');
      });
      copy.querySelectorAll('[data-error-for]').forEach(function (el) {
        el.textContent = ''; el.id = el.id.replace(/^styles-\d+-/, 'styles-' + index + '-');
      });
      copy.querySelectorAll('[aria-describedby]').forEach(function (el) {
        el.setAttribute('aria-describedby', el.getAttribute('aria-describedby').replace(/^styles-\d+-/, 'styles-' + index + '-'));
      });
      list.appendChild(copy);
      copy.querySelector('[data-cell="label"]').focus();
    });
  }

  document.addEventListener('submit', async function (event) {
    var form = event.target.closest('[data-ai-settings]');
    if (!form) return;
    event.preventDefault();
    var rows = styleRows(form).filter(function (r) { return !r.removed; });
    var result = await window.Luneo.api('PUT', '/api/admin/ai/settings',
      { styles: rows.map(function (r) { return r.value; }), deny_terms: form.elements.deny_terms.value });
    if (result.ok) { window.location.reload(); return; }
    showRowProblems(form, rows, result.error && result.error.fields);
    fail(result);
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
