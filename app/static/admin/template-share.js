/* Luneo template editor: copy the saved template to another product, export it, import one.
 *
 * The admin API does the work (SPEC18 §5): POST .../template/copy {to_product_id, replace},
 * GET .../template/export (a template.v1.json download), POST .../template/import (the document;
 * 422 with per-path errors). Export is fetched with the page's credentials (a session token
 * inside Shopify, where a plain link would carry none) and saved from a Blob. Import asks for a
 * confirmation first: it replaces the template.
 */
(function () {
  'use strict';

  var editor = window.LuneoTemplateEditor;
  var box = document.querySelector('[data-share]');
  if (!editor || !box || !window.Luneo) return;

  var el = editor.el;
  var target = box.querySelector('[data-copy-target]');
  var replace = box.querySelector('[data-copy-replace]');
  var copyMessage = box.querySelector('[data-copy-message]');
  var exportMessage = box.querySelector('[data-export-message]');
  var fileInput = box.querySelector('[data-import-file]');
  var confirmBox = box.querySelector('[data-import-confirm]');
  var question = box.querySelector('[data-import-question]');
  var importMessage = box.querySelector('[data-import-message]');
  var importErrors = box.querySelector('[data-import-errors]');
  var pending = null; /* the parsed document waiting for "Replace template" */

  function editorUrl(productId) {
    return box.getAttribute('data-editor-url').replace(/\/0\/template$/, '/' + productId + '/template') + window.location.search;
  }

  function say(node, text, isError) {
    node.replaceChildren(document.createTextNode(text));
    node.classList.toggle('field-error', !!isError);
  }

  /* ------------------------------------------------------------ copy */

  function fillTargets() {
    var products = editor.product.copy_targets || [];
    target.replaceChildren.apply(target, [el('option', { value: '', text: products.length ? 'Choose a product' : 'No other products yet' })].concat(
      products.map(function (p) { return el('option', { value: p.id, text: p.title + (p.has_template ? ' (has a template)' : '') }); })));
  }

  async function copy() {
    var id = Number(target.value);
    if (!id) {
      say(copyMessage, 'Choose the product to copy this template to.', true);
      target.focus();
      return;
    }
    say(copyMessage, 'Copying…');
    var result = await window.Luneo.api('POST', box.getAttribute('data-copy-url'), { to_product_id: id, replace: replace.checked });
    if (!result.ok) {
      var extra = result.status === 409 ? ' Tick “Replace its template” to overwrite it.' : '';
      say(copyMessage, result.error.message + extra, true);
      return;
    }
    var chosen = target.options[target.selectedIndex].textContent.replace(/ \(has a template\)$/, '');
    copyMessage.replaceChildren(document.createTextNode('Copied to ' + chosen + '. '), el('a', { href: editorUrl(id), text: 'Open its template' }));
    copyMessage.classList.remove('field-error');
    (editor.product.copy_targets || []).forEach(function (p) { if (p.id === id) p.has_template = true; });
    fillTargets();
    target.value = String(id);
  }

  /* ------------------------------------------------------------ export */

  function filenameOf(response) {
    var header = response.headers.get('Content-Disposition') || '';
    var match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(header);
    return match ? decodeURIComponent(match[1]) : 'template.json';
  }

  async function download() {
    say(exportMessage, 'Preparing the file…');
    var response;
    try {
      response = await fetch(box.getAttribute('data-export-url'), { headers: Object.assign({ Accept: 'application/json' }, await window.Luneo.authHeaders()), credentials: 'same-origin' });
    } catch (error) {
      say(exportMessage, 'Luneo could not be reached. Check your connection and try again.', true);
      return;
    }
    if (!response.ok) {
      say(exportMessage, (await window.Luneo.errorOf(response)).message, true);
      return;
    }
    var blob = await response.blob();
    var link = el('a', { href: URL.createObjectURL(blob), download: filenameOf(response), hidden: true });
    document.body.appendChild(link);
    link.click();
    window.setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
    say(exportMessage, 'Downloaded ' + link.getAttribute('download') + '.');
  }

  /* ------------------------------------------------------------ import */

  function resetImport() {
    pending = null;
    confirmBox.hidden = true;
    fileInput.value = '';
  }

  async function chosen() {
    importErrors.replaceChildren();
    var file = fileInput.files[0];
    if (!file) return;
    if (file.size > 2 * 1024 * 1024) {
      say(importMessage, 'This file is larger than 2 MB: it is not a template export.', true);
      resetImport();
      return;
    }
    var document_;
    try {
      document_ = JSON.parse(await file.text());
    } catch (error) {
      say(importMessage, 'This file is not JSON: choose a template exported from Luneo.', true);
      resetImport();
      return;
    }
    if (!document_ || typeof document_ !== 'object' || Array.isArray(document_) || document_.version !== 1) {
      say(importMessage, 'This JSON is not a Luneo template (version 1).', true);
      resetImport();
      return;
    }
    pending = document_;
    var fieldCount = Array.isArray(document_.fields) ? document_.fields.length : 0;
    var areaCount = Array.isArray(document_.print_areas) ? document_.print_areas.length : 0;
    question.textContent = 'Replace this template with “' + (document_.name || file.name) + '” (' + areaCount + ' print area' + (areaCount === 1 ? '' : 's') + ', ' +
      fieldCount + ' field' + (fieldCount === 1 ? '' : 's') + ')? Unsaved changes on this page are lost.';
    say(importMessage, '');
    confirmBox.hidden = false;
    confirmBox.querySelector('[data-import-go]').focus();
  }

  async function importNow() {
    if (!pending) return;
    say(importMessage, 'Importing…');
    var result = await window.Luneo.api('POST', box.getAttribute('data-import-url'), pending);
    if (!result.ok) {
      confirmBox.hidden = true;
      say(importMessage, 'Not imported: ' + result.error.message, true);
      var fields = result.error.fields || {};
      var problems = Object.keys(fields).map(function (path) { return path + ': ' + fields[path]; });
      (result.error.errors || []).forEach(function (p) { problems.push((p.path ? p.path + ': ' : '') + p.message); });
      importErrors.replaceChildren.apply(importErrors, problems.slice(0, 20).map(function (text) { return el('li', { text: text }); }));
      fileInput.value = '';
      pending = null;
      fileInput.focus();
      return;
    }
    resetImport();
    say(importMessage, 'Imported. Reloading the editor…');
    window.location.reload();
  }

  /* ------------------------------------------------------------ start */

  fillTargets();
  box.querySelector('[data-copy]').addEventListener('click', copy);
  box.querySelector('[data-export]').addEventListener('click', download);
  fileInput.addEventListener('change', chosen);
  box.querySelector('[data-import-go]').addEventListener('click', importNow);
  box.querySelector('[data-import-cancel]').addEventListener('click', function () {
    resetImport();
    say(importMessage, 'Import cancelled: nothing changed.');
    fileInput.focus();
  });
})();
