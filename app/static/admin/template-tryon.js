/* Luneo template editor: the virtual try-on settings and their preview on a sample portrait.
 *
 * The anchor list follows the kind (a hat sits on the forehead, a ring on a finger). "Preview on
 * the sample portrait" loads the widget's own try-on asset (luneo-tryon.js) and trackers from
 * Luneo, finds the face in the shipped portrait and places a box of the print area's proportions
 * with the same placement code the shopper's browser runs; each change of the settings moves it.
 * "Try it with your camera or a photo" opens the shopper's own try-on panel with that box.
 */
(function () {
  'use strict';

  var editor = window.LuneoTemplateEditor;
  var box = document.querySelector('[data-tryon-settings]');
  if (!editor || !box) return;

  var kindSelect = box.querySelector('[data-field="try_on.kind"]');
  var anchorSelect = box.querySelector('[data-field="try_on.anchor"]');
  var scaleInput = box.querySelector('[data-field="try_on.scale"]');
  var showButton = box.querySelector('[data-tryon-show]');
  var liveButton = box.querySelector('[data-tryon-live]');
  var liveBox = box.querySelector('[data-tryon-live-box]');
  var live = null; /* the open try-on panel */
  var sample = box.querySelector('[data-tryon-sample]');
  var canvas = box.querySelector('[data-tryon-preview-canvas]');
  var status = box.querySelector('[data-tryon-status]');
  var shown = false;
  var timer = null;
  var loading = null;

  function syncAnchors() {
    var state = editor.state;
    var kind = state['try_on.kind'];
    var first = null;
    var valid = false;
    Array.prototype.forEach.call(anchorSelect.options, function (option) {
      var ok = option.getAttribute('data-kind') === kind;
      option.hidden = option.disabled = !ok;
      if (ok && first === null) first = option.value;
      if (ok && option.value === state['try_on.anchor']) valid = true;
    });
    anchorSelect.disabled = scaleInput.disabled = !kind;
    box.querySelectorAll('[data-field^="try_on.offset"]').forEach(function (input) { input.disabled = !kind; });
    if (kind && !valid) state['try_on.anchor'] = first;
    anchorSelect.value = state['try_on.anchor'] || '';
    if (kind && String(state['try_on.scale']).trim() === '') {
      state['try_on.scale'] = kindSelect.selectedOptions[0].getAttribute('data-default-scale');
      scaleInput.value = state['try_on.scale'];
    }
    showButton.disabled = liveButton.disabled = !kind;
  }

  function settings() {
    var state = editor.state;
    var out = {
      kind: state['try_on.kind'],
      anchor: state['try_on.anchor'],
      scale: editor.num(state['try_on.scale']),
      offset_x: editor.num(state['try_on.offset_x']) || 0,
      offset_y: editor.num(state['try_on.offset_y']) || 0,
    };
    return out.kind && out.scale ? out : null;
  }

  /* The design's stand-in: a box of the chosen print area's proportions, named. */
  function standIn() {
    var areas = editor.state.areas || [];
    var key = editor.selectedAreaKey();
    var area = areas.filter(function (a) { return a.key === key; })[0] || areas[0] || {};
    var w = editor.num(area.width_mm) || 1;
    var h = editor.num(area.height_mm) || 1;
    var art = document.createElement('canvas');
    art.width = 400;
    art.height = Math.max(1, Math.round(400 * h / w));
    var ctx = art.getContext('2d');
    ctx.fillStyle = 'rgba(37, 99, 235, 0.45)';
    ctx.fillRect(0, 0, art.width, art.height);
    ctx.strokeStyle = '#1d4ed8';
    ctx.lineWidth = 8;
    ctx.strokeRect(4, 4, art.width - 8, art.height - 8);
    ctx.fillStyle = '#fff';
    ctx.font = 'bold ' + Math.max(12, Math.round(art.height / 4)) + 'px sans-serif';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillText(area.name || area.key || '', art.width / 2, art.height / 2, art.width - 16);
    return art;
  }

  function loadTryOn() {
    if (window.LuneoTryOn) return Promise.resolve(window.LuneoTryOn);
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var script = document.createElement('script');
        script.src = box.getAttribute('data-tryon-script');
        script.onload = function () { resolve(window.LuneoTryOn); };
        script.onerror = function () { loading = null; reject(new Error('tryon')); };
        document.head.appendChild(script);
      });
    }
    return loading;
  }

  function draw() {
    var wanted = settings();
    if (!shown || !wanted) return;
    status.textContent = 'Finding the face in the sample portrait…';
    Promise.all([loadTryOn(), sample.decode()]).then(function (parts) {
      return parts[0].preview({
        canvas: canvas,
        image: sample,
        settings: wanted,
        modelsUrl: box.getAttribute('data-tryon-models'),
        overlay: standIn(),
      });
    }).then(function (result) {
      canvas.hidden = false;
      canvas.setAttribute('data-boxes', JSON.stringify(result.boxes.map(function (b) { return [Math.round(b.x), Math.round(b.y), Math.round(b.width), Math.round(b.height)]; })));
      status.textContent = result.landmarks
        ? 'The box shows where the shopper’s design goes.'
        : 'The sample portrait shows no hand: on a shopper’s hand the design sits on the ' + wanted.anchor.replace('_', ' ') + '.';
    }).catch(function () {
      status.textContent = 'The preview could not run in this browser.';
    });
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(draw, 200);
  }

  /* The shopper's panel (camera, photo, snapshot), with the settings as they are when opened. */
  function openLive() {
    var wanted = settings();
    if (!wanted) return;
    if (live) live.close();
    loadTryOn().then(function (tryOn) {
      live = tryOn.open({
        host: liveBox,
        settings: wanted,
        modelsUrl: box.getAttribute('data-tryon-models'),
        overlay: standIn,
        onClose: function () { live = null; },
      });
    }).catch(function () {
      status.textContent = 'The try-on could not load in this browser.';
    });
  }

  kindSelect.addEventListener('change', syncAnchors);
  liveButton.addEventListener('click', openLive);
  editor.on('load', syncAnchors);
  editor.on('change', function () {
    syncAnchors();
    later();
  });
  showButton.addEventListener('click', function () {
    shown = true;
    draw();
  });
  syncAnchors();
})();
