/* Luneo template editor: the shopper's view, live, while the merchant builds.
 *
 * Every change of the editor (saved or not) asks POST .../template/preview for a PNG drawn by
 * Luneo's real renderer from the UNSAVED values and the "Try it" sample values. Asking is
 * debounced; an answer older than the latest question is dropped (and its request aborted), so
 * a slow render never paints over a newer one. Errors are shown in words under the picture.
 */
(function () {
  'use strict';

  var editor = window.LuneoTemplateEditor;
  var box = document.querySelector('[data-shopper]');
  if (!editor || !box || !window.Luneo) return;

  var el = editor.el;
  var url = editor.form.getAttribute('data-preview-url');
  var uploadUrl = editor.form.getAttribute('data-upload-url');
  var image = box.querySelector('[data-shopper-image]');
  var frame = box.querySelector('[data-shopper-frame]');
  var status = box.querySelector('[data-shopper-status]');
  var sidePicker = box.querySelector('[data-shopper-area]');
  var tryBox = box.querySelector('[data-try]');
  var SAMPLE_PHOTO = 'luneo:sample-photo';
  var DEBOUNCE_MS = 350;
  var samples = new Map(); /* field uid -> {value, touched} */
  var uploads = []; /* {ref, name}: the merchant's own sample photos */
  var timer = null;
  var asked = 0; /* the latest question's number; older answers are dropped */
  var running = null; /* AbortController of the request in flight */
  var shownUrl = null;
  var lastShape = '';

  function fields() { return editor.state.fields; }

  function clipartItems(sets) {
    var found = [];
    (editor.product.clipart || []).forEach(function (set) {
      if (!sets || sets.indexOf(set.set) !== -1) set.items.forEach(function (i) { found.push({ value: i.src, label: set.label + ': ' + i.label }); });
    });
    return found;
  }

  /* A field's sample when the merchant has not typed one: what a shopper would first see. */
  function defaultSample(field) {
    if (field.kind === 'text') return field.default || field.placeholder || field.label || '';
    if (field.kind === 'choice') {
      var first = (field.options || [])[0];
      return field.default || (first ? first.value : '');
    }
    if (field.kind === 'photo') return SAMPLE_PHOTO;
    if (field.kind === 'clipart') {
      var items = clipartItems(field.sets || []);
      return field.default || (items[0] ? items[0].value : '');
    }
    return '';
  }

  function sampleOf(field) {
    var entry = samples.get(field._uid);
    return entry && entry.touched ? entry.value : defaultSample(field);
  }

  function values() {
    var out = {};
    fields().forEach(function (field) {
      var value = sampleOf(field);
      if (value === '' || value === null || value === undefined) return;
      out[field.id] = field.kind === 'photo' ? { src: value } : value;
    });
    return out;
  }

  function visible(field, chosen) {
    var rule = field.visible_when;
    return !rule || (Array.isArray(rule.in) && rule.in.indexOf(chosen[rule.field]) !== -1);
  }

  /* ------------------------------------------------------------ the "Try it" form */

  function shape() {
    return JSON.stringify(fields().map(function (f) {
      return [f._uid, f.id, f.kind, f.label, f.sets, f.default, f.placeholder, (f.options || []).map(function (o) { return [o.value, o.label]; })];
    }));
  }

  function tryInput(field) {
    var id = 'try-' + field._uid;
    var value = sampleOf(field);
    var control;
    if (field.kind === 'text') {
      control = el('input', { type: 'text', id: id, 'data-try-uid': field._uid, maxlength: 500 });
      control.value = value;
    } else {
      var choices;
      if (field.kind === 'choice') choices = (field.options || []).map(function (o) { return { value: o.value, label: o.label || o.value }; });
      else if (field.kind === 'photo') choices = [{ value: SAMPLE_PHOTO, label: 'Luneo’s sample photo' }].concat(uploads.map(function (u) { return { value: u.ref, label: u.name }; }));
      else choices = clipartItems(field.sets || []);
      control = el('select', { id: id, 'data-try-uid': field._uid }, [el('option', { value: '', text: field.kind === 'photo' ? 'No photo' : 'Nothing' })].concat(
        choices.map(function (c) { return el('option', { value: c.value, text: c.label }); })));
      control.value = value || '';
    }
    var parts = [el('label', { for: id, text: field.label || field.id }), control];
    if (field.kind === 'photo') {
      var upload = el('input', { type: 'file', id: id + '-file', accept: 'image/png,image/jpeg', 'data-try-upload': field._uid });
      parts.push(el('label', { class: 'small', for: id + '-file', text: 'Try your own photo' }), upload);
    }
    return el('div', { class: 'field', 'data-try-field': field._uid }, parts);
  }

  /* uid -> field id when the form was drawn: after Save the fields come back with new uids, and
     the samples the merchant typed follow their field by id. */
  var idsAtRender = new Map();

  function keepSamplesAcrossReload() {
    var byId = new Map();
    samples.forEach(function (sample, uid) { if (idsAtRender.has(uid)) byId.set(idsAtRender.get(uid), sample); });
    samples = new Map();
    fields().forEach(function (f) { if (byId.has(f.id)) samples.set(f._uid, byId.get(f.id)); });
  }

  function renderTry() {
    lastShape = shape();
    idsAtRender = new Map(fields().map(function (f) { return [f._uid, f.id]; }));
    if (!fields().length) {
      tryBox.replaceChildren(el('p', { class: 'small muted', text: 'Add fields to try them here.' }));
      return;
    }
    tryBox.replaceChildren.apply(tryBox, fields().map(tryInput));
    showVisibleOnly();
  }

  function showVisibleOnly() {
    var chosen = values();
    fields().forEach(function (field) {
      var node = tryBox.querySelector('[data-try-field="' + field._uid + '"]');
      if (node) node.hidden = !visible(field, chosen);
    });
  }

  async function uploadSample(input) {
    var file = input.files[0];
    if (!file) return;
    var body = new FormData();
    body.append('file', file);
    say('Uploading your sample photo…');
    var result = await window.Luneo.api('POST', uploadUrl, body);
    input.value = '';
    if (!result.ok) {
      say('The photo was not uploaded: ' + result.error.message, true);
      return;
    }
    var ref = 'file:' + result.data.file.id;
    uploads.push({ ref: ref, name: result.data.file.name || 'Your photo' });
    samples.set(Number(input.getAttribute('data-try-upload')), { value: ref, touched: true });
    renderTry();
    schedule();
  }

  /* ------------------------------------------------------------ asking */

  function say(text, isError) {
    status.textContent = text;
    status.classList.toggle('field-error', !!isError);
  }

  function sides() {
    var keys = editor.state.areas.map(function (a) { return a.key; });
    var current = sidePicker.value || editor.selectedAreaKey();
    sidePicker.replaceChildren.apply(sidePicker, editor.state.areas.map(function (a) { return el('option', { value: a.key, text: a.name || a.key }); }));
    sidePicker.value = keys.indexOf(current) !== -1 ? current : keys[0] || '';
  }

  function schedule() {
    window.clearTimeout(timer);
    frame.setAttribute('aria-busy', 'true');
    say('Updating the preview…');
    timer = window.setTimeout(ask, DEBOUNCE_MS);
  }

  function describeError(error) {
    var problems = Object.keys(error.fields || {}).slice(0, 3).map(function (path) { return editor.describe(path) + ': ' + error.fields[path]; });
    (error.errors || []).slice(0, 3).forEach(function (p) { problems.push((p.path ? p.path + ': ' : '') + p.message); });
    return 'No preview: ' + error.message + (problems.length ? ' (' + problems.join('; ') + ')' : '');
  }

  function summary(chosen) {
    var parts = fields().filter(function (f) { return visible(f, chosen) && chosen[f.id] !== undefined; }).map(function (f) {
      if (f.kind === 'text') return (f.label || f.id) + ' “' + chosen[f.id] + '”';
      if (f.kind === 'choice') {
        var option = (f.options || []).find(function (o) { return o.value === chosen[f.id]; });
        return (f.label || f.id) + ': ' + (option ? option.label || option.value : chosen[f.id]);
      }
      if (f.kind === 'photo') return (f.label || f.id) + ': a sample photo';
      return (f.label || f.id) + ': a clipart piece';
    });
    return parts.length ? parts.join(', ') : 'nothing filled in';
  }

  async function ask() {
    var number = ++asked;
    if (running) running.abort();
    var controller = new AbortController();
    running = controller;
    var chosen = values();
    var area = sidePicker.value;
    var body = JSON.stringify({ template: editor.payload(), values: chosen, area: area });
    var response;
    try {
      var headers = Object.assign({ 'Content-Type': 'application/json', Accept: 'image/png' }, await window.Luneo.authHeaders());
      response = await fetch(url, { method: 'POST', headers: headers, body: body, credentials: 'same-origin', signal: controller.signal });
    } catch (error) {
      if (number !== asked) return; /* a newer question is on its way */
      frame.setAttribute('aria-busy', 'false');
      say('No preview: Luneo could not be reached. Check your connection.', true);
      return;
    }
    var blob = response.ok ? await response.blob().catch(function () { return null; }) : null;
    var error = response.ok ? null : await window.Luneo.errorOf(response);
    if (number !== asked) return; /* stale: a newer answer will paint */
    running = null;
    frame.setAttribute('aria-busy', 'false');
    if (!blob) {
      say(describeError(error || { message: 'the picture could not be read.' }), true);
      return;
    }
    if (shownUrl) URL.revokeObjectURL(shownUrl);
    shownUrl = URL.createObjectURL(blob);
    var side = editor.state.areas.find(function (a) { return a.key === area; });
    image.alt = 'Shopper’s view of ' + (side ? side.name || side.key : 'the product') + ': ' + summary(chosen);
    image.src = shownUrl;
    image.hidden = false;
    image.setAttribute('data-version', String(number));
    say('Preview up to date (not saved yet: Save template keeps it).');
  }

  /* ------------------------------------------------------------ start */

  tryBox.addEventListener('input', function (event) {
    var uid = event.target.getAttribute('data-try-uid');
    if (!uid) return;
    samples.set(Number(uid), { value: event.target.value, touched: true });
    showVisibleOnly();
    schedule();
  });
  tryBox.addEventListener('change', function (event) {
    if (event.target.hasAttribute('data-try-upload')) uploadSample(event.target);
  });
  sidePicker.addEventListener('change', schedule);
  editor.on('change', function () {
    sides();
    if (shape() !== lastShape && !tryBox.contains(document.activeElement)) renderTry();
    else showVisibleOnly();
    schedule();
  });
  editor.on('load', function () {
    keepSamplesAcrossReload();
    sides();
    renderTry();
    schedule();
  });
  sides();
  renderTry();
  schedule();
})();
