/* Luneo template editor: print areas with a live, to-scale preview on the product's mockup.
 *
 * State is the template as the API returns it (numbers kept as the merchant typed them). The
 * form is drawn from the state, every input writes back to it, and Save sends it whole with
 * Luneo.api (session token or CSRF, see admin.js). The server validates; its per-field errors
 * are shown next to the inputs they name (`data-error-for="print_areas[0].width_mm"`).
 *
 * Preview geometry: `mockup_placement` is the trim box in mockup pixels. Bleed is drawn outside
 * it and the safe area inside it, both at the same pixels-per-millimetre, so the drawing is to
 * scale. Changing an area's size keeps that scale and the area's centre.
 */
(function () {
  'use strict';

  var form = document.getElementById('template-form');
  if (!form || !window.Luneo) return;

  var SVG_NS = 'http://www.w3.org/2000/svg';
  var options = JSON.parse(document.getElementById('editor-options').textContent);
  var limits = options.limits;
  var areasBox = form.querySelector('[data-areas]');
  var colorsBox = form.querySelector('[data-colors]');
  var rulesBox = form.querySelector('[data-rules]');
  var scoresBox = form.querySelector('[data-scores]');
  var svg = form.querySelector('[data-preview-svg]');
  var previewSelect = form.querySelector('[data-preview-select]');
  var statusBox = document.querySelector('[data-save-status]');
  var saveButton = document.querySelector('[data-save]');
  var nextUid = 1;
  var state = null;
  var previewUid = null;
  var previewView = null; /* which of the previewed area's views, null for its own mockup */
  var images = new Map(); /* src -> {ok, width, height} once loaded */

  /* ------------------------------------------------------------ helpers */

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === null || value === undefined || value === false) return;
      if (name === 'text') node.textContent = value;
      else node.setAttribute(name, value === true ? '' : String(value));
    });
    (children || []).forEach(function (child) {
      if (child) node.appendChild(child);
    });
    return node;
  }

  function svgEl(tag, attrs) {
    var node = document.createElementNS(SVG_NS, tag);
    Object.keys(attrs).forEach(function (name) {
      node.setAttribute(name, String(attrs[name]));
    });
    return node;
  }

  function num(value) {
    if (value === null || value === undefined || String(value).trim() === '') return null;
    var n = Number(value);
    return Number.isFinite(n) ? n : null;
  }

  function numberOrText(value) {
    var n = num(value);
    return n === null ? String(value === null || value === undefined ? '' : value) : n;
  }

  function round1(value) {
    return Math.round(value * 10) / 10;
  }

  function hasPlacement(p) {
    return !!p && ['x', 'y', 'width', 'height'].every(function (k) {
      return typeof p[k] === 'number' && Number.isFinite(p[k]);
    }) && p.width > 0 && p.height > 0;
  }

  function setStatus(text) {
    if (statusBox) statusBox.textContent = text;
  }

  /* Other parts of the page (fields, live preview, copy/import) listen for these. */
  var listeners = { change: [], load: [] };

  function emit(name) {
    listeners[name].forEach(function (listener) { listener(state); });
  }

  function markDirty() {
    setStatus('Unsaved changes');
    emit('change');
  }

  /* ------------------------------------------------------------ state */

  function areaFromServer(area) {
    var placement = hasPlacement(area.mockup_placement) ? Object.assign({}, area.mockup_placement) : null;
    var cylinder = placement && placement.cylinder ? placement.cylinder : null;
    var fabric = placement && placement.displacement ? String(placement.displacement.strength_px) : '';
    if (placement) {
      delete placement.cylinder;
      delete placement.displacement;
    }
    var result = {
      uid: nextUid++,
      id: area.id,
      key: area.key,
      name: area.name,
      width_mm: String(area.width_mm),
      height_mm: String(area.height_mm),
      dpi: String(area.dpi),
      bleed_mm: String(area.bleed_mm),
      safe_margin_mm: String(area.safe_margin_mm),
      mockup_file_id: area.mockup_file_id,
      mockup_url: area.mockup_url,
      placement: placement,
      /* The print wraps around the product there (app/design/warp.py): the box is its body. */
      cylinder: cylinder ? { circumference_mm: String(cylinder.circumference_mm), offset_mm: String(cylinder.offset_mm || 0) } : null,
      /* The print follows the photo's folds (app/design/displace.py): strength in px, '' for none. */
      fabric: fabric,
      views: (area.views || []).map(viewFromServer),
      scale: null,
    };
    rememberScale(result);
    return result;
  }

  /* One more picture of the area (the back, a side, on a model) and the area's box on it. */
  function viewFromServer(view) {
    var p = view.mockup_placement || {};
    return {
      uid: nextUid++,
      name: view.name,
      mockup_file_id: view.mockup_file_id,
      mockup_url: view.mockup_url,
      x: p.x === undefined ? '' : String(p.x),
      y: p.y === undefined ? '' : String(p.y),
      width: p.width === undefined ? '' : String(p.width),
      height: p.height === undefined ? '' : String(p.height),
      cylinder: p.cylinder || null, /* kept as it is: typed in the area's own mockup only */
      fabric: p.displacement ? String(p.displacement.strength_px) : '',
    };
  }

  function viewToSend(view) {
    var placement = {};
    ['x', 'y', 'width', 'height'].forEach(function (k) { placement[k] = numberOrText(view[k]); });
    if (view.cylinder) placement.cylinder = view.cylinder;
    if (String(view.fabric).trim() !== '') placement.displacement = { strength_px: numberOrText(view.fabric) };
    return { name: view.name, mockup_file_id: view.mockup_file_id || null, mockup_placement: placement };
  }

  function fromServer(template) {
    var known = new Set(options.fonts.map(function (f) { return f.family; }));
    return Object.assign({
      product: template.product,
      name: template.name,
      is_active: template.is_active,
      max_layers: String(template.max_layers),
      ai_enabled: template.ai_enabled,
      model_3d: template.model_3d || '',
      min_image_dpi: String(template.min_image_dpi),
      low_dpi_policy: template.low_dpi_policy || 'warn',
      fonts: template.fonts.filter(function (f) { return known.has(f); }),
      clipart_sets: (template.clipart_sets || []).slice(),
      colors: template.colors.slice(),
      rules: template.price_rules.map(function (rule) {
        var isArea = rule.area !== undefined;
        return { kind: isArea ? 'area' : 'option', target: isArea ? rule.area : rule.option, label: rule.label || '', amount: String(rule.amount) };
      }),
      areas: template.print_areas.map(areaFromServer),
      editor_mode: template.editor_mode || 'form',
      surcharge: template.surcharge === undefined || template.surcharge === null ? '0' : String(template.surcharge),
      /* Fields stay in their wire shape (SPEC18 §1); `_uid` tells the page's rows apart. */
      fields: (template.fields || []).map(function (field) {
        return Object.assign({ _uid: nextUid++ }, JSON.parse(JSON.stringify(field)));
      }),
      /* Score lines as text, as typed; sent as numbers (app/design/finishing.py). */
      scores: (template.score_lines || []).map(function (line) {
        var out = {};
        SCORE_FIELDS.forEach(function (f) { out[f.name] = String(line[f.name]); });
        return out;
      }),
    }, finishingFromServer(template.cut_line, template.engraving), proofFromServer(template.proof),
    tryOnFromServer(template.try_on));
  }

  /* Virtual try-on (app/product_templates/try_on.py): no kind, no try-on. */
  function tryOnFromServer(tryOn) {
    var t = tryOn || {};
    return {
      'try_on.kind': t.kind || '',
      'try_on.anchor': t.anchor || '',
      'try_on.scale': t.scale === undefined ? '' : String(t.scale),
      'try_on.offset_x': String(t.offset_x || 0),
      'try_on.offset_y': String(t.offset_y || 0),
    };
  }

  function tryOnToSend() {
    if (!state['try_on.kind']) return { try_on: null };
    var out = { kind: state['try_on.kind'], offset_x: numberOrText(state['try_on.offset_x']), offset_y: numberOrText(state['try_on.offset_y']) };
    if (state['try_on.anchor']) out.anchor = state['try_on.anchor'];
    if (String(state['try_on.scale']).trim() !== '') out.scale = numberOrText(state['try_on.scale']);
    return { try_on: out };
  }

  /* Proof approval (app/fulfilment/proofs.py) as flat inputs named after the server's paths. */
  function proofFromServer(proof) {
    var p = proof || {};
    return {
      'proof.required': !!p.required,
      'proof.send': p.send || 'auto',
      'proof.deadline_hours': String(p.deadline_hours === undefined ? 48 : p.deadline_hours),
      'proof.at_deadline': p.at_deadline || 'wait',
    };
  }

  function proofToSend() {
    return {
      proof: {
        required: !!state['proof.required'],
        send: state['proof.send'],
        deadline_hours: numberOrText(state['proof.deadline_hours']),
        at_deadline: state['proof.at_deadline'],
      },
    };
  }

  /* Cut line and engraving (app/design/finishing.py) as flat inputs: the select says whether
     there is one, the other inputs its settings; the names are the server's error paths. */
  function finishingFromServer(cut, engraving) {
    var c = cut || {};
    var e = engraving || {};
    return {
      cut_line: cut ? (c.source || 'artwork') : '',
      'cut_line.offset_mm': String(c.offset_mm === undefined ? 2 : c.offset_mm),
      'cut_line.shape': c.shape || 'rect',
      'cut_line.corner_mm': String(c.corner_mm === undefined ? 0 : c.corner_mm),
      engraving: engraving ? (e.method || 'threshold') : '',
      'engraving.threshold': String(e.threshold === undefined ? 128 : e.threshold),
      'engraving.invert': !!e.invert,
      'engraving.outline_text': e.outline_text !== false,
    };
  }

  function finishingToSend() {
    return {
      cut_line: state.cut_line ? {
        source: state.cut_line,
        offset_mm: numberOrText(state['cut_line.offset_mm']),
        shape: state['cut_line.shape'],
        corner_mm: numberOrText(state['cut_line.corner_mm']),
      } : null,
      engraving: state.engraving ? {
        method: state.engraving,
        threshold: numberOrText(state['engraving.threshold']),
        invert: !!state['engraving.invert'],
        outline_text: !!state['engraving.outline_text'],
      } : null,
      score_lines: state.scores.map(function (line) {
        var out = {};
        SCORE_FIELDS.forEach(function (f) { out[f.name] = numberOrText(line[f.name]); });
        return out;
      }),
    };
  }

  /* ------------------------------------------------------------ score lines */

  var SCORE_FIELDS = [
    { name: 'x1_mm', label: 'From x (mm)' },
    { name: 'y1_mm', label: 'From y (mm)' },
    { name: 'x2_mm', label: 'To x (mm)' },
    { name: 'y2_mm', label: 'To y (mm)' },
  ];

  function renderScores() {
    scoresBox.replaceChildren.apply(scoresBox, state.scores.map(function (line, index) {
      var path = 'score_lines[' + index + ']';
      return el('div', { class: 'rule', 'data-score': index }, [
        el('div', { class: 'fields fields--rule' }, SCORE_FIELDS.map(function (f) {
          var input = el('input', { type: 'number', step: 0.1, inputmode: 'decimal', 'data-score-field': f.name });
          input.value = line[f.name];
          return inputField('score-' + index + '-' + f.name, f.label, path + '.' + f.name, input);
        })),
        errorLine(path),
        el('button', { type: 'button', class: 'button button--secondary button--small', 'data-remove-score': index, 'aria-label': 'Remove score line ' + (index + 1), text: 'Remove' }),
      ]);
    }));
  }

  function onScoreInput(event) {
    var row = event.target.closest('[data-score]');
    var field = event.target.getAttribute('data-score-field');
    if (!row || !field) return;
    state.scores[Number(row.getAttribute('data-score'))][field] = event.target.value;
    markDirty();
  }

  function withoutUids(value) {
    return JSON.parse(JSON.stringify(value, function (key, inner) { return key === '_uid' ? undefined : inner; }));
  }

  function toPayload() {
    return Object.assign({
      name: state.name,
      is_active: state.is_active,
      max_layers: numberOrText(state.max_layers),
      ai_enabled: state.ai_enabled,
      model_3d: state.model_3d || null,
      min_image_dpi: numberOrText(state.min_image_dpi),
      low_dpi_policy: state.low_dpi_policy || 'warn',
      editor_mode: state.editor_mode,
      surcharge: String(state.surcharge).trim() === '' ? '0' : String(state.surcharge).trim(),
      fields: withoutUids(state.fields),
      fonts: state.fonts.slice(),
      clipart_sets: state.clipart_sets.slice(),
      colors: state.colors.slice(),
      price_rules: state.rules.map(function (rule) {
        var out = { label: rule.label, amount: rule.amount };
        out[rule.kind] = rule.target;
        return out;
      }),
      print_areas: state.areas.map(function (area) {
        return {
          id: area.id || null,
          key: area.key,
          name: area.name,
          width_mm: numberOrText(area.width_mm),
          height_mm: numberOrText(area.height_mm),
          dpi: numberOrText(area.dpi),
          bleed_mm: numberOrText(area.bleed_mm),
          safe_margin_mm: numberOrText(area.safe_margin_mm),
          mockup_file_id: area.mockup_file_id || null,
          mockup_placement: placementToSend(area),
          views: (area.views || []).map(viewToSend),
        };
      }),
    }, finishingToSend(), proofToSend(), tryOnToSend());
  }

  function placementToSend(area) {
    if (!area.placement) return {};
    var extra = {};
    if (area.cylinder) extra.cylinder = { circumference_mm: numberOrText(area.cylinder.circumference_mm), offset_mm: numberOrText(area.cylinder.offset_mm || '0') };
    if (String(area.fabric || '').trim() !== '') extra.displacement = { strength_px: numberOrText(area.fabric) };
    return Object.assign({}, area.placement, extra);
  }

  function areaByUid(uid) {
    return state.areas.find(function (a) { return a.uid === uid; }) || null;
  }

  function areaSize(area) {
    return { w: num(area.width_mm), h: num(area.height_mm), bleed: num(area.bleed_mm), safe: num(area.safe_margin_mm) };
  }

  /* Pixels per millimetre on the mockup, kept apart from the rounded placement numbers. */
  function rememberScale(area) {
    var size = areaSize(area);
    if (hasPlacement(area.placement) && size.w > 0 && size.h > 0) {
      area.scale = { x: area.placement.width / size.w, y: area.placement.height / size.h };
    }
  }

  function setPlacement(area, placement) {
    area.placement = { x: round1(placement.x), y: round1(placement.y), width: round1(placement.width), height: round1(placement.height) };
    rememberScale(area);
  }

  /* A new width or height in mm: same pixels per mm, same centre on the mockup. Around a
     cylinder the box's width is the product's body: a longer wrap goes further round it. */
  function resizeKeepingScale(area) {
    var size = areaSize(area);
    var p = area.placement;
    if (!hasPlacement(p) || !area.scale || !(size.w > 0) || !(size.h > 0)) return;
    var cx = p.x + p.width / 2;
    var cy = p.y + p.height / 2;
    var width = area.cylinder ? p.width : size.w * area.scale.x;
    var height = size.h * area.scale.y;
    area.placement = { x: round1(cx - width / 2), y: round1(cy - height / 2), width: round1(width), height: round1(height) };
  }

  /* ------------------------------------------------------------ general fields, fonts and clipart */

  /* Checkbox lists of names: the fonts and the clipart sets a template offers. */
  var CHOICES = [
    { selector: '[data-font]', field: 'fonts' },
    { selector: '[data-clipart-set]', field: 'clipart_sets' },
  ];

  function generalInputs() {
    return Array.prototype.filter.call(form.querySelectorAll('[data-field]'), function (input) {
      return !input.closest('[data-areas], [data-colors], [data-rules], [data-scores], [data-fields-section], [data-shopper], [data-share]');
    });
  }

  function fillGeneral() {
    generalInputs().forEach(function (input) {
      var field = input.getAttribute('data-field');
      if (input.type === 'checkbox') input.checked = !!state[field];
      else input.value = state[field];
    });
    CHOICES.forEach(function (choice) {
      form.querySelectorAll(choice.selector).forEach(function (box) {
        box.checked = state[choice.field].indexOf(box.value) !== -1;
      });
    });
  }

  function bindGeneral() {
    generalInputs().forEach(function (input) {
      var field = input.getAttribute('data-field');
      input.addEventListener(input.type === 'checkbox' ? 'change' : 'input', function () {
        state[field] = input.type === 'checkbox' ? input.checked : input.value;
        markDirty();
      });
    });
    CHOICES.forEach(function (choice) {
      form.querySelectorAll(choice.selector).forEach(function (box) {
        box.addEventListener('change', function () {
          state[choice.field] = Array.prototype.filter.call(form.querySelectorAll(choice.selector), function (b) { return b.checked; })
            .map(function (b) { return b.value; });
          markDirty();
        });
      });
    });
  }

  /* ------------------------------------------------------------ print areas */

  var AREA_FIELDS = [
    { name: 'key', label: 'Key', type: 'text', attrs: { maxlength: 64, pattern: limits.area_key_pattern, autocapitalize: 'off', spellcheck: 'false' }, hint: 'Lowercase letters, digits, - and _ (used in designs).' },
    { name: 'name', label: 'Name', type: 'text', attrs: { maxlength: 255 } },
    { name: 'width_mm', label: 'Width (mm)', type: 'number', attrs: { min: 0.01, max: limits.max_size_mm, step: 0.01, inputmode: 'decimal' } },
    { name: 'height_mm', label: 'Height (mm)', type: 'number', attrs: { min: 0.01, max: limits.max_size_mm, step: 0.01, inputmode: 'decimal' } },
    { name: 'dpi', label: 'Print resolution (DPI)', type: 'number', attrs: { min: limits.min_dpi, max: limits.max_dpi, step: 1, inputmode: 'numeric' } },
    { name: 'bleed_mm', label: 'Bleed (mm)', type: 'number', attrs: { min: 0, max: limits.max_bleed_mm, step: 0.01, inputmode: 'decimal' } },
    { name: 'safe_margin_mm', label: 'Safe margin (mm)', type: 'number', attrs: { min: 0, max: limits.max_safe_margin_mm, step: 0.01, inputmode: 'decimal' } },
  ];

  function errorLine(path) {
    return el('p', { class: 'field-error', id: 'err-' + path.replace(/[^a-z0-9]+/gi, '-'), 'data-error-for': path });
  }

  function inputField(id, label, path, input, hint) {
    var error = errorLine(path);
    var described = [error.id];
    var hintNode = null;
    if (hint) {
      hintNode = el('p', { class: 'hint', id: id + '-hint', text: hint });
      described.push(hintNode.id);
    }
    input.id = id;
    input.setAttribute('data-field', path);
    input.setAttribute('aria-describedby', described.join(' '));
    return el('div', { class: 'field' }, [el('label', { for: id, text: label }), input, hintNode, error]);
  }

  function areaFieldset(area, index) {
    var prefix = 'print_areas[' + index + ']';
    var title = 'Print area ' + (index + 1) + (area.name ? ': ' + area.name : '');
    var fields = AREA_FIELDS.map(function (spec) {
      var input = el('input', Object.assign({ type: spec.type, 'data-area-field': spec.name }, spec.attrs));
      input.value = area[spec.name];
      return inputField('area-' + area.uid + '-' + spec.name, spec.label, prefix + '.' + spec.name, input, spec.hint);
    });
    var last = state.areas.length - 1;
    var tools = el('div', { class: 'area__tools' }, [
      el('button', { type: 'button', class: 'button button--secondary button--small', 'data-act': 'preview', 'aria-pressed': String(area.uid === previewUid), text: 'Preview' }),
      el('button', { type: 'button', class: 'button button--secondary button--small', 'data-act': 'up', disabled: index === 0, 'aria-label': 'Move ' + title + ' up', text: '↑' }),
      el('button', { type: 'button', class: 'button button--secondary button--small', 'data-act': 'down', disabled: index === last, 'aria-label': 'Move ' + title + ' down', text: '↓' }),
      el('button', { type: 'button', class: 'button button--secondary button--small', 'data-act': 'remove', disabled: last === 0, 'aria-label': 'Remove ' + title, text: 'Remove' }),
    ]);
    return el('fieldset', { class: 'area', 'data-area-uid': area.uid }, [
      el('legend', { text: title }),
      tools,
      el('div', { class: 'fields' }, fields),
      mockupBlock(area, prefix),
      placementBlock(area, prefix),
      viewsBlock(area, prefix),
      errorLine(prefix + '.id'),
      errorLine(prefix),
    ]);
  }

  function mockupBlock(area, prefix) {
    var id = 'area-' + area.uid + '-mockup';
    var input = el('input', { type: 'file', accept: 'image/png,image/jpeg', 'data-mockup-upload': '' });
    var current = area.mockup_url
      ? el('span', { class: 'small', text: 'Mockup uploaded.' })
      : el('span', { class: 'small muted', text: state.product.image_url ? 'Using the product photo.' : 'No mockup yet.' });
    var field = inputField(id, 'Mockup image', prefix + '.mockup_file_id', input, 'PNG or JPEG, up to ' + Math.round(limits.mockup_max_bytes / 1048576) + ' MB: the product as shoppers see it.');
    var clear = area.mockup_url ? el('button', { type: 'button', class: 'button button--secondary button--small', 'data-act': 'clear-mockup', text: 'Remove mockup' }) : null;
    return el('div', { class: 'area__mockup' }, [field, el('p', { class: 'mockup-status' }, [current, clear])]);
  }

  function placementBlock(area, prefix) {
    var path = prefix + '.mockup_placement';
    var p = area.placement || {};
    var inputs = ['x', 'y', 'width'].map(function (key) {
      var input = el('input', { type: 'number', step: 0.1, inputmode: 'decimal', 'data-placement': key });
      input.value = p[key] === undefined ? '' : p[key];
      var label = { x: 'Left (px)', y: 'Top (px)', width: 'Width (px)' }[key];
      return inputField('area-' + area.uid + '-place-' + key, label, path + '.' + key, input);
    });
    var height = el('p', { class: 'small muted', 'data-placement-height': '', text: p.height ? 'Height: ' + p.height + ' px' : '' });
    return el('fieldset', { class: 'placement plain' }, [
      el('legend', { class: 'small', text: 'Position on the mockup (drag it in the preview, or type)' }),
      el('div', { class: 'fields fields--3' }, inputs),
      height,
      errorLine(path),
      cylinderBlock(area, path + '.cylinder'),
      fabricField('area-' + area.uid + '-fabric', path + '.displacement.strength_px', area.fabric, { 'data-fabric': '' }),
    ]);
  }

  function fabricField(id, path, value, attrs) {
    var input = el('input', Object.assign({ type: 'number', step: 1, min: 0, inputmode: 'decimal' }, attrs));
    input.value = value || '';
    return inputField(id, 'Follows the fabric (px)', path, input,
      'For shirts and soft goods: how far the photo\'s folds move the print (0 to 200; empty for none). The folds also shade it.');
  }

  /* More pictures of the product showing this area: the shopper switches between them. */
  function viewsBlock(area, prefix) {
    var items = (area.views || []).map(function (view, n) {
      var path = prefix + '.views[' + n + ']';
      var id = 'area-' + area.uid + '-view-' + view.uid;
      var name = el('input', { type: 'text', maxlength: 255, 'data-view-field': 'name', 'data-view': n });
      name.value = view.name;
      var upload = el('input', { type: 'file', accept: 'image/png,image/jpeg', 'data-view-upload': n });
      var box = ['x', 'y', 'width', 'height'].map(function (key) {
        var input = el('input', { type: 'number', step: 0.1, inputmode: 'decimal', 'data-view-field': key, 'data-view': n });
        input.value = view[key];
        return inputField(id + '-' + key, { x: 'Left (px)', y: 'Top (px)', width: 'Width (px)', height: 'Height (px)' }[key], path + '.mockup_placement.' + key, input);
      });
      return el('fieldset', { class: 'area__view plain', 'data-view-uid': view.uid }, [
        el('legend', { class: 'small', text: 'View ' + (n + 2) + (view.name ? ': ' + view.name : '') }),
        inputField(id + '-name', 'Name', path + '.name', name, 'What the shopper\'s tab says: Back, Left side, On the model…'),
        inputField(id + '-picture', 'Picture', path + '.mockup_file_id', upload, view.mockup_url ? 'Uploaded; choose another to replace it.' : 'PNG or JPEG: the product from this side.'),
        el('div', { class: 'fields fields--3' }, box),
        errorLine(path + '.mockup_placement'),
        fabricField(id + '-fabric', path + '.mockup_placement.displacement.strength_px', view.fabric, { 'data-view-field': 'fabric', 'data-view': n }),
        el('button', { type: 'button', class: 'button button--secondary button--small', 'data-act': 'remove-view', 'data-view': n, text: 'Remove view' }),
        errorLine(path),
      ]);
    });
    var full = (area.views || []).length >= 7;
    return el('div', { class: 'area__views' }, [
      el('p', { class: 'small', text: 'More views: ' + (area.views && area.views.length ? '' : 'none yet. ') + 'the back, a side, the product on a model; each with the area placed on it.' }),
    ].concat(items, [
      el('button', { type: 'button', class: 'button button--secondary button--small', 'data-act': 'add-view', disabled: full, text: 'Add a view' }),
      errorLine(prefix + '.views'),
    ]));
  }

  /* A print that wraps around the product (a mug): the box is its body on the mockup, and the
     preview bends the design round it as the shopper's 2D preview does. */
  function cylinderBlock(area, path) {
    var id = 'area-' + area.uid + '-cylinder';
    var toggle = el('input', { type: 'checkbox', id: id, 'data-cylinder': 'on' });
    toggle.checked = !!area.cylinder;
    var c = area.cylinder || {};
    var fields = [
      ['circumference_mm', 'Circumference (mm)', 'Around the product where it is printed: π × diameter (an 82 mm mug: 257.6).'],
      ['offset_mm', 'Facing the viewer (mm)', 'Which part of the print faces the camera on this mockup, from its middle: 0 for the middle, a quarter of the circumference for a side view.'],
    ].map(function (f) {
      var input = el('input', { type: 'number', step: 0.1, inputmode: 'decimal', 'data-cylinder': f[0] });
      input.value = c[f[0]] === undefined ? '' : c[f[0]];
      return inputField(id + '-' + f[0], f[1], path + '.' + f[0], input, f[2]);
    });
    var details = el('div', { class: 'fields fields--3', 'data-cylinder-fields': '' }, fields);
    details.hidden = !area.cylinder;
    return el('div', { class: 'cylinder' }, [
      el('div', { class: 'field field--check' }, [toggle, el('label', { for: id, text: 'The print wraps around the product (a mug, a tumbler): the box is its body' })]),
      details,
      errorLine(path),
    ]);
  }

  function onCylinderInput(area, box, target) {
    var key = target.getAttribute('data-cylinder');
    if (key === 'on') {
      var size = areaSize(area);
      area.cylinder = target.checked ? { circumference_mm: String(size.w > 0 ? size.w : ''), offset_mm: '0' } : null;
      box.querySelector('[data-cylinder-fields]').hidden = !target.checked;
      box.querySelectorAll('[data-cylinder]').forEach(function (input) {
        var k = input.getAttribute('data-cylinder');
        if (k !== 'on' && area.cylinder) input.value = area.cylinder[k];
      });
    } else if (area.cylinder) {
      area.cylinder[key] = target.value;
    }
  }

  /* What the preview shows and drags: the area on its mockup, or on one of its views (the
     view's picture and box, seen through the area: its size and margins are the area's). */
  function previewTarget() {
    var area = areaByUid(previewUid);
    if (!area || previewView === null || !area.views || !area.views[previewView]) return area;
    var view = area.views[previewView];
    var target = Object.create(area);
    target.viewIndex = previewView;
    target.mockup_url = view.mockup_url;
    target.cylinder = view.cylinder ? { circumference_mm: String(view.cylinder.circumference_mm), offset_mm: String(view.cylinder.offset_mm || 0) } : null;
    target.scale = null;
    target.refit = false;
    Object.defineProperty(target, 'placement', {
      get: function () {
        var p = { x: num(view.x), y: num(view.y), width: num(view.width), height: num(view.height) };
        return hasPlacement(p) ? p : null;
      },
      set: function (p) {
        ['x', 'y', 'width', 'height'].forEach(function (k) { view[k] = String(p[k]); });
      },
    });
    return target;
  }

  function renderAreas() {
    if (!areaByUid(previewUid)) previewUid = state.areas.length ? state.areas[0].uid : null;
    var shown = areaByUid(previewUid);
    if (!shown || !shown.views || !shown.views[previewView]) previewView = null;
    areasBox.replaceChildren.apply(areasBox, state.areas.map(areaFieldset));
    renderPreviewSelect();
    drawPreview();
  }

  function refreshPlacementInputs(area) {
    var box = areasBox.querySelector('[data-area-uid="' + area.uid + '"]');
    if (!box) return;
    if (area.viewIndex !== undefined) {
      var view = area.views[area.viewIndex];
      box.querySelectorAll('[data-view="' + area.viewIndex + '"][data-view-field]').forEach(function (input) {
        var k = input.getAttribute('data-view-field');
        if (k !== 'name' && k !== 'fabric' && document.activeElement !== input) input.value = view[k];
      });
      return;
    }
    var p = area.placement || {};
    box.querySelectorAll('[data-placement]').forEach(function (input) {
      var key = input.getAttribute('data-placement');
      if (document.activeElement !== input) input.value = p[key] === undefined ? '' : p[key];
    });
    box.querySelector('[data-placement-height]').textContent = p.height ? 'Height: ' + p.height + ' px' : '';
  }

  function onAreaInput(event) {
    var box = event.target.closest('[data-area-uid]');
    if (!box) return;
    var area = areaByUid(Number(box.getAttribute('data-area-uid')));
    var field = event.target.getAttribute('data-area-field');
    var placementKey = event.target.getAttribute('data-placement');
    var viewField = event.target.getAttribute('data-view-field');
    if (viewField) {
      area.views[Number(event.target.getAttribute('data-view'))][viewField] = event.target.value;
    } else if (event.target.hasAttribute('data-fabric')) {
      area.fabric = event.target.value;
    } else if (event.target.hasAttribute('data-cylinder')) {
      onCylinderInput(area, box, event.target);
    } else if (field) {
      var before = area[field];
      area[field] = event.target.value;
      if (field === 'width_mm' || field === 'height_mm') {
        resizeKeepingScale(area);
        refreshPlacementInputs(area);
      }
      if (field === 'bleed_mm' || field === 'safe_margin_mm' || field === 'dpi') rememberScale(area);
      if (field === 'key') {
        renameRuleTargets(before, area.key);
        /* Fields drawn on this area follow its new key. */
        state.fields.forEach(function (f) { if (f.area === before) f.area = area.key; });
      }
      if (field === 'name' || field === 'key') {
        box.querySelector('legend').textContent = 'Print area ' + (state.areas.indexOf(area) + 1) + (area.name ? ': ' + area.name : '');
        renderPreviewSelect();
      }
    } else if (placementKey) {
      movePlacementByInput(area, placementKey, num(event.target.value));
    } else {
      return;
    }
    markDirty();
    if (area.uid === previewUid) drawPreview();
  }

  function movePlacementByInput(area, key, value) {
    if (value === null || !hasPlacement(area.placement)) return;
    var p = Object.assign({}, area.placement);
    if (key === 'width') {
      if (value <= 0) return;
      p.height = value * (p.height / p.width);
    }
    p[key] = value;
    setPlacement(area, p);
    refreshPlacementInputs(area);
  }

  function onAreaClick(event) {
    var button = event.target.closest('[data-act]');
    var box = event.target.closest('[data-area-uid]');
    if (!button || !box) return;
    var area = areaByUid(Number(box.getAttribute('data-area-uid')));
    var index = state.areas.indexOf(area);
    var act = button.getAttribute('data-act');
    if (act === 'preview') {
      previewUid = area.uid;
      previewView = null;
      renderAreas();
      areasBox.querySelector('[data-area-uid="' + area.uid + '"] [data-act="preview"]').focus();
      return;
    }
    if (act === 'up' || act === 'down') {
      var target = act === 'up' ? index - 1 : index + 1;
      state.areas.splice(index, 1);
      state.areas.splice(target, 0, area);
    } else if (act === 'remove') {
      state.areas.splice(index, 1);
    } else if (act === 'clear-mockup') {
      area.mockup_file_id = null;
      area.mockup_url = null;
    } else if (act === 'add-view') {
      /* A first guess: the area's box on its mockup; the merchant corrects it for the picture. */
      var p = area.placement || { x: 0, y: 0, width: 100, height: 100 };
      area.views = area.views || [];
      area.views.push({ uid: nextUid++, name: 'View ' + (area.views.length + 2), mockup_file_id: null, mockup_url: null,
        x: String(p.x), y: String(p.y), width: String(p.width), height: String(p.height), cylinder: null, fabric: area.fabric || '' });
      previewUid = area.uid;
      previewView = area.views.length - 1;
    } else if (act === 'remove-view') {
      area.views.splice(Number(button.getAttribute('data-view')), 1);
    }
    markDirty();
    renderAreas();
    renderRules();
    var again = areasBox.querySelector('[data-area-uid="' + area.uid + '"] [data-act="' + act + '"]');
    var fallback = areasBox.querySelector('input') || form.querySelector('[data-add-area]');
    (again && !again.disabled ? again : fallback).focus();
  }

  function uniqueKey() {
    var taken = new Set(state.areas.map(function (a) { return a.key; }));
    for (var n = state.areas.length + 1; ; n++) {
      if (!taken.has('area-' + n)) return 'area-' + n;
    }
  }

  function addArea() {
    var last = state.areas[state.areas.length - 1];
    var area = {
      uid: nextUid++, id: null, key: uniqueKey(), name: 'New area',
      width_mm: last ? last.width_mm : '100', height_mm: last ? last.height_mm : '100',
      dpi: last ? last.dpi : '300', bleed_mm: last ? last.bleed_mm : '3', safe_margin_mm: last ? last.safe_margin_mm : '5',
      mockup_file_id: null, mockup_url: null, placement: null, scale: null, fabric: '', views: [],
    };
    state.areas.push(area);
    previewUid = area.uid;
    markDirty();
    renderAreas();
    renderRules();
    var first = areasBox.querySelector('[data-area-uid="' + area.uid + '"] input');
    if (first) first.focus();
  }

  async function onViewPictureChosen(input) {
    var box = input.closest('[data-area-uid]');
    var area = areaByUid(Number(box.getAttribute('data-area-uid')));
    var view = area.views[Number(input.getAttribute('data-view-upload'))];
    var error = input.closest('.field').querySelector('.field-error, [data-error-for]');
    var file = input.files[0];
    if (file.size > limits.mockup_max_bytes) {
      if (error) error.textContent = 'The image is larger than ' + Math.round(limits.mockup_max_bytes / 1048576) + ' MB.';
      input.value = '';
      return;
    }
    var body = new FormData();
    body.append('file', file);
    setStatus('Uploading the picture…');
    var result = await window.Luneo.api('POST', form.getAttribute('data-upload-url'), body);
    input.value = '';
    if (!result.ok) {
      if (error) error.textContent = result.error.message;
      setStatus('The picture was not uploaded.');
      return;
    }
    view.mockup_file_id = result.data.file.id;
    view.mockup_url = result.data.file.url;
    previewUid = area.uid;
    previewView = area.views.indexOf(view);
    markDirty();
    renderAreas();
  }

  async function onMockupChosen(event) {
    var input = event.target;
    if (input.matches('[data-view-upload]') && input.files.length) return onViewPictureChosen(input);
    if (!input.matches('[data-mockup-upload]') || !input.files.length) return;
    var box = input.closest('[data-area-uid]');
    var area = areaByUid(Number(box.getAttribute('data-area-uid')));
    var error = box.querySelector('[data-error-for$=".mockup_file_id"]');
    var file = input.files[0];
    error.textContent = '';
    if (file.size > limits.mockup_max_bytes) {
      error.textContent = 'The image is larger than ' + Math.round(limits.mockup_max_bytes / 1048576) + ' MB.';
      input.value = '';
      return;
    }
    var body = new FormData();
    body.append('file', file);
    setStatus('Uploading mockup…');
    var result = await window.Luneo.api('POST', form.getAttribute('data-upload-url'), body);
    input.value = '';
    if (!result.ok) {
      error.textContent = result.error.message;
      setStatus('The mockup was not uploaded.');
      return;
    }
    area.mockup_file_id = result.data.file.id;
    area.mockup_url = result.data.file.url;
    area.refit = true; /* fit the area onto the new picture if its old spot falls outside */
    previewUid = area.uid;
    markDirty();
    renderAreas();
  }

  /* ------------------------------------------------------------ colours */

  function renderColors() {
    colorsBox.replaceChildren.apply(colorsBox, state.colors.map(function (color, index) {
      var path = 'colors[' + index + ']';
      var picker = el('input', { type: 'color', 'aria-label': 'Colour ' + (index + 1) + ' picker', 'data-color-picker': index });
      picker.value = /^#[0-9a-f]{6}$/i.test(color) ? color : '#000000';
      var text = el('input', { type: 'text', class: 'mono', maxlength: 7, 'aria-label': 'Colour ' + (index + 1) + ' hex code', 'data-field': path, 'data-color-text': index, spellcheck: 'false' });
      text.value = color;
      return el('li', { class: 'color' }, [
        picker, text,
        el('button', { type: 'button', class: 'button button--secondary button--small', 'data-remove-color': index, 'aria-label': 'Remove colour ' + color, text: '×' }),
        errorLine(path),
      ]);
    }));
  }

  function onColorInput(event) {
    var picker = event.target.getAttribute('data-color-picker');
    var text = event.target.getAttribute('data-color-text');
    var index = Number(picker !== null ? picker : text);
    if (picker === null && text === null) return;
    state.colors[index] = event.target.value;
    var row = event.target.closest('li');
    if (picker !== null) row.querySelector('[data-color-text]').value = event.target.value;
    else if (/^#[0-9a-f]{6}$/i.test(event.target.value)) row.querySelector('[data-color-picker]').value = event.target.value;
    markDirty();
  }

  /* ------------------------------------------------------------ price rules */

  function renameRuleTargets(before, after) {
    var changed = false;
    state.rules.forEach(function (rule) {
      if (rule.kind === 'area' && rule.target === before) {
        rule.target = after;
        changed = true;
      }
    });
    if (changed) renderRules();
  }

  function ruleTarget(rule, index, path) {
    if (rule.kind === 'option') {
      var text = el('input', { type: 'text', maxlength: 100, 'data-rule-field': 'target' });
      text.value = rule.target || '';
      return inputField('rule-' + index + '-option', 'Option', path + '.option', text);
    }
    var select = el('select', { 'data-rule-field': 'target' });
    var keys = state.areas.map(function (a) { return a.key; });
    if (rule.target && keys.indexOf(rule.target) === -1) keys.push(rule.target);
    keys.forEach(function (key) {
      var area = state.areas.find(function (a) { return a.key === key; });
      select.appendChild(el('option', { value: key, text: area ? (area.name || key) + ' (' + key + ')' : key + ' (no such area)' }));
    });
    if (!rule.target && keys.length) rule.target = keys[0];
    select.value = rule.target;
    return inputField('rule-' + index + '-area', 'Print area', path + '.area', select);
  }

  function renderRules() {
    rulesBox.replaceChildren.apply(rulesBox, state.rules.map(function (rule, index) {
      var path = 'price_rules[' + index + ']';
      var kind = el('select', { 'data-rule-field': 'kind' }, [
        el('option', { value: 'area', text: 'A print area is used' }),
        el('option', { value: 'option', text: 'An option is chosen' }),
      ]);
      kind.value = rule.kind;
      var label = el('input', { type: 'text', maxlength: 100, 'data-rule-field': 'label' });
      label.value = rule.label;
      var step = options.currency_places ? String(Math.pow(10, -options.currency_places)) : '1';
      var amount = el('input', { type: 'number', min: 0, step: step, inputmode: 'decimal', 'data-rule-field': 'amount' });
      amount.value = rule.amount;
      return el('div', { class: 'rule', 'data-rule': index }, [
        el('div', { class: 'fields fields--rule' }, [
          inputField('rule-' + index + '-kind', 'Charge when', path, kind),
          ruleTarget(rule, index, path),
          inputField('rule-' + index + '-label', 'Label (optional)', path + '.label', label),
          inputField('rule-' + index + '-amount', 'Amount (' + options.currency + ')', path + '.amount', amount),
        ]),
        el('button', { type: 'button', class: 'button button--secondary button--small', 'data-remove-rule': index, 'aria-label': 'Remove price rule ' + (index + 1), text: 'Remove' }),
      ]);
    }));
  }

  function onRuleInput(event) {
    var row = event.target.closest('[data-rule]');
    var field = event.target.getAttribute('data-rule-field');
    if (!row || !field) return;
    var rule = state.rules[Number(row.getAttribute('data-rule'))];
    rule[field] = event.target.value;
    if (field === 'kind') {
      rule.target = '';
      renderRules();
    }
    markDirty();
  }

  /* ------------------------------------------------------------ preview */

  function renderPreviewSelect() {
    var choices = [];
    state.areas.forEach(function (area) {
      choices.push(el('option', { value: area.uid, text: area.name || area.key }));
      (area.views || []).forEach(function (view, n) {
        choices.push(el('option', { value: area.uid + ':' + n, text: (area.name || area.key) + ' · ' + (view.name || 'View ' + (n + 2)) }));
      });
    });
    previewSelect.replaceChildren.apply(previewSelect, choices);
    if (previewUid !== null) previewSelect.value = previewView === null ? String(previewUid) : previewUid + ':' + previewView;
  }

  function loadImage(src) {
    if (images.has(src)) return;
    images.set(src, null);
    var image = new Image();
    image.onload = function () {
      images.set(src, { ok: true, width: image.naturalWidth, height: image.naturalHeight });
      drawPreview();
    };
    image.onerror = function () {
      images.set(src, { ok: false });
      drawPreview();
    };
    image.src = src;
  }

  function defaultPlacement(size, image) {
    var fit = Math.min((image.width * 0.5) / size.w, (image.height * 0.5) / size.h);
    var width = size.w * fit;
    var height = size.h * fit;
    return { x: (image.width - width) / 2, y: (image.height - height) / 2, width: width, height: height };
  }

  function insideImage(p, image) {
    return p.x >= 0 && p.y >= 0 && p.x + p.width <= image.width && p.y + p.height <= image.height;
  }

  function boxes(p, size, sx, sy) {
    var bleed = size.bleed || 0;
    var safe = size.safe || 0;
    return {
      bleed: { x: p.x - bleed * sx, y: p.y - bleed * sy, width: p.width + 2 * bleed * sx, height: p.height + 2 * bleed * sy },
      trim: p,
      safe: { x: p.x + safe * sx, y: p.y + safe * sy, width: Math.max(0, p.width - 2 * safe * sx), height: Math.max(0, p.height - 2 * safe * sy) },
    };
  }

  function drawBoxes(geometry, draggable, handleSize) {
    ['bleed', 'trim', 'safe'].forEach(function (name) {
      var r = geometry[name];
      var rect = svgEl('rect', { class: 'box box--' + name, 'data-box': name, x: round1(r.x), y: round1(r.y), width: round1(r.width), height: round1(r.height) });
      if (name === 'trim' && draggable) {
        rect.setAttribute('data-drag', 'move');
        rect.setAttribute('tabindex', '0');
        rect.setAttribute('role', 'button');
        rect.setAttribute('aria-label', 'Print area on the mockup: arrow keys move it, plus and minus resize it');
      }
      svg.appendChild(rect);
    });
    if (draggable) {
      var t = geometry.trim;
      svg.appendChild(svgEl('rect', { class: 'handle', 'data-drag': 'resize', x: t.x + t.width - handleSize / 2, y: t.y + t.height - handleSize / 2, width: handleSize, height: handleSize }));
    }
  }

  function clearPreview() {
    Array.prototype.slice.call(svg.children).forEach(function (child) {
      if (child.tagName !== 'title' && child.tagName !== 'desc') child.remove();
    });
  }

  function drawPreview() {
    var area = previewTarget();
    var hint = form.querySelector('[data-preview-hint]');
    var facts = form.querySelector('[data-preview-facts]');
    clearPreview();
    if (!area) return;
    var size = areaSize(area);
    facts.textContent = printFacts(area, size);
    if (!(size.w > 0) || !(size.h > 0)) {
      hint.textContent = 'Enter the area’s width and height to see it.';
      return;
    }
    var src = area.mockup_url || (state.product && state.product.image_url);
    var image = src ? images.get(src) : null;
    if (src && image === undefined) loadImage(src);
    if (image && image.ok) {
      drawOnImage(area, size, src, image);
      hint.textContent = 'Drag the area to move it; drag its corner to resize it.';
    } else {
      drawAlone(size);
      hint.textContent = src && image === null ? 'Loading the picture…' : 'Upload a mockup to place the area on the product.';
    }
  }

  function drawOnImage(area, size, src, image) {
    if (!hasPlacement(area.placement) || (area.refit && !insideImage(area.placement, image))) {
      setPlacement(area, defaultPlacement(size, image));
      refreshPlacementInputs(area);
    }
    area.refit = false;
    var p = area.placement;
    svg.setAttribute('viewBox', '0 0 ' + image.width + ' ' + image.height);
    svg.appendChild(svgEl('image', { href: src, x: 0, y: 0, width: image.width, height: image.height }));
    /* Around a cylinder the box is the body: bleed and safe margins show above and below. */
    var sx = area.cylinder ? 0 : p.width / size.w;
    var sy = p.height / size.h;
    drawBoxes(boxes(p, size, sx, sy), true, Math.max(12, Math.max(image.width, image.height) * 0.02));
    if (area.cylinder) drawWrapEnds(area, size, p);
  }

  /* Where the wrap's two ends sit on the body, when they are on the visible side. */
  function drawWrapEnds(area, size, p) {
    var around = num(area.cylinder.circumference_mm);
    var offset = num(area.cylinder.offset_mm) || 0;
    if (!(around > 0)) return;
    [0, size.w].forEach(function (end) {
      var angle = ((end - size.w / 2 - offset) / around) * 2 * Math.PI;
      if (Math.abs(angle) > Math.PI / 2) return;
      var x = round1(p.x + ((Math.sin(angle) + 1) / 2) * p.width);
      svg.appendChild(svgEl('line', { class: 'wrap-end', 'data-wrap-end': '', x1: x, y1: p.y, x2: x, y2: p.y + p.height }));
    });
  }

  function drawAlone(size) {
    var bleed = size.bleed || 0;
    var pad = Math.max(size.w, size.h) * 0.05;
    var total = { w: size.w + 2 * bleed + 2 * pad, h: size.h + 2 * bleed + 2 * pad };
    svg.setAttribute('viewBox', '0 0 ' + total.w + ' ' + total.h);
    svg.appendChild(svgEl('rect', { class: 'canvas', x: 0, y: 0, width: total.w, height: total.h }));
    var trim = { x: bleed + pad, y: bleed + pad, width: size.w, height: size.h };
    drawBoxes(boxes(trim, size, 1, 1), false, 0);
  }

  function printFacts(area, size) {
    var dpi = num(area.dpi);
    if (!(size.w > 0) || !(size.h > 0) || !(dpi > 0)) return '';
    var bleed = size.bleed || 0;
    var px = function (mm) { return Math.round(((mm + 2 * bleed) * dpi) / 25.4); };
    return 'Print file: ' + px(size.w) + ' × ' + px(size.h) + ' px at ' + dpi + ' DPI, bleed included.';
  }

  /* Dragging and resizing, with a pointer or the keyboard. */
  var drag = null;

  function svgPoint(event) {
    var matrix = svg.getScreenCTM();
    if (!matrix) return { x: 0, y: 0 };
    var point = new DOMPoint(event.clientX, event.clientY).matrixTransform(matrix.inverse());
    return { x: point.x, y: point.y };
  }

  function startDrag(event) {
    var target = event.target.closest('[data-drag]');
    var area = previewTarget();
    if (!target || !area || !hasPlacement(area.placement)) return;
    event.preventDefault();
    svg.setPointerCapture(event.pointerId);
    drag = { mode: target.getAttribute('data-drag'), from: svgPoint(event), start: Object.assign({}, area.placement), area: area };
  }

  function moveDrag(event) {
    if (!drag) return;
    var at = svgPoint(event);
    var dx = at.x - drag.from.x;
    var dy = at.y - drag.from.y;
    var s = drag.start;
    if (drag.mode === 'move') {
      setPlacement(drag.area, { x: s.x + dx, y: s.y + dy, width: s.width, height: s.height });
    } else {
      var width = Math.max(4, s.width + dx);
      setPlacement(drag.area, { x: s.x, y: s.y, width: width, height: width * (s.height / s.width) });
    }
    refreshPlacementInputs(drag.area);
    drawPreview();
  }

  function endDrag() {
    if (!drag) return;
    drag = null;
    markDirty();
    var trim = svg.querySelector('[data-box="trim"]');
    if (trim) trim.focus();
  }

  function onPreviewKey(event) {
    if (!event.target.matches('[data-drag="move"]')) return;
    var area = previewTarget();
    var p = Object.assign({}, area.placement);
    var step = event.shiftKey ? 10 : 1;
    var moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    if (moves[event.key]) {
      p.x += moves[event.key][0];
      p.y += moves[event.key][1];
    } else if (event.key === '+' || event.key === '=' || event.key === '-') {
      var factor = event.key === '-' ? 0.98 : 1.02;
      p.width *= factor;
      p.height *= factor;
    } else {
      return;
    }
    event.preventDefault();
    setPlacement(area, p);
    refreshPlacementInputs(area);
    markDirty();
    drawPreview();
    svg.querySelector('[data-box="trim"]').focus();
  }

  /* ------------------------------------------------------------ errors and saving */

  function clearErrors() {
    document.querySelectorAll('[data-error-for]').forEach(function (node) { node.textContent = ''; });
    document.querySelectorAll('[aria-invalid]').forEach(function (node) { node.removeAttribute('aria-invalid'); });
    var box = document.querySelector('[data-errors]');
    box.hidden = true;
  }

  /* The error slot for a path, or for its nearest parent (`a[0].b.c` -> `a[0].b` -> `a[0]` -> `a`). */
  function findByPath(attribute, path) {
    var parent = path;
    while (parent) {
      var node = document.querySelector('[' + attribute + '="' + CSS.escape(parent) + '"]');
      if (node) return node;
      var cut = Math.max(parent.lastIndexOf('.'), parent.lastIndexOf('['));
      parent = cut > 0 ? parent.slice(0, cut) : '';
    }
    return null;
  }

  function describe(path) {
    var input = document.querySelector('[data-field="' + CSS.escape(path) + '"]');
    var label = input && input.labels && input.labels.length ? input.labels[0].textContent : input && input.getAttribute('aria-label');
    var area = /^print_areas\[(\d+)\]/.exec(path);
    var rule = /^price_rules\[(\d+)\]/.exec(path);
    var score = /^score_lines\[(\d+)\]/.exec(path);
    var field = /^fields\[(\d+)\]/.exec(path);
    var option = /\.options\[(\d+)\]/.exec(path);
    var prefix = area ? 'Print area ' + (Number(area[1]) + 1) : rule ? 'Price rule ' + (Number(rule[1]) + 1) : '';
    if (score) prefix = 'Score line ' + (Number(score[1]) + 1);
    if (field) prefix = 'Field ' + (Number(field[1]) + 1) + (option ? ' · option ' + (Number(option[1]) + 1) : '');
    if (field && !label) {
      /* No input carries exactly this path (a whole effect, box or list): name its last part. */
      var last = path.slice(Math.max(path.lastIndexOf('.'), path.lastIndexOf(']')) + 1).replace(/^\./, '');
      label = { color: 'colour effect', layer: 'picture', box: 'place', visible_when: 'visibility', in: 'options', price: 'price', options: 'options' }[last] || last.replace(/_/g, ' ');
    }
    return [prefix, label].filter(Boolean).join(' · ') || path;
  }

  function showErrors(error) {
    var box = document.querySelector('[data-errors]');
    var list = box.querySelector('[data-errors-list]');
    var fields = error.fields || {};
    box.querySelector('[data-errors-message]').textContent = error.message;
    list.replaceChildren.apply(list, Object.keys(fields).map(function (path) {
      var message = fields[path];
      var slot = findByPath('data-error-for', path);
      if (slot) slot.textContent = slot.textContent ? slot.textContent + ' ' + message : message;
      /* A message inside a collapsed field card opens it, so the merchant sees where. */
      var card = slot && slot.closest('[data-field-card]');
      if (card && card.getAttribute('data-collapsed') === 'true') {
        var toggle = card.querySelector('[data-act="toggle"]');
        if (toggle) toggle.click();
      }
      var input = document.querySelector('[data-field="' + CSS.escape(path) + '"]');
      if (input) input.setAttribute('aria-invalid', 'true');
      var item = el('li');
      item.appendChild(input && input.id ? el('a', { href: '#' + input.id, text: describe(path) }) : el('strong', { text: describe(path) }));
      item.appendChild(document.createTextNode(': ' + message));
      return item;
    }));
    box.hidden = false;
    box.scrollIntoView({ block: 'nearest' });
  }

  async function save(event) {
    event.preventDefault();
    clearErrors();
    saveButton.disabled = true;
    setStatus('Saving…');
    var result = await window.Luneo.api('PUT', form.getAttribute('data-save-url'), toPayload());
    saveButton.disabled = false;
    if (!result.ok) {
      setStatus('Not saved.');
      showErrors(result.error);
      return;
    }
    var selected = areaByUid(previewUid);
    var selectedIndex = selected ? state.areas.indexOf(selected) : 0;
    /* Keep the picture URLs already loaded: a fresh signed URL would only reload the same file. */
    var shown = new Map(state.areas.map(function (a) { return [a.mockup_file_id, a.mockup_url]; }));
    load(result.data.template);
    state.areas.forEach(function (area) {
      if (area.mockup_file_id && shown.get(area.mockup_file_id)) area.mockup_url = shown.get(area.mockup_file_id);
    });
    var again = state.areas[selectedIndex] || state.areas[0];
    previewUid = again ? again.uid : null;
    renderAreas();
    setStatus('Saved.');
  }

  /* ------------------------------------------------------------ start */

  function load(template) {
    state = fromServer(template);
    fillGeneral();
    renderColors();
    renderRules();
    renderScores();
    emit('load');
  }

  load(JSON.parse(document.getElementById('template-data').textContent));
  bindGeneral();
  renderAreas();

  /* What the fields, live preview and sharing scripts build on (loaded after this one). */
  window.LuneoTemplateEditor = {
    get state() { return state; },
    options: options,
    product: JSON.parse(document.getElementById('product-data').textContent),
    form: form,
    el: el,
    num: num,
    inputField: inputField,
    errorLine: errorLine,
    markDirty: markDirty,
    describe: describe,
    setStatus: setStatus,
    payload: toPayload,
    uid: function () { return nextUid++; },
    selectedAreaKey: function () {
      var area = areaByUid(previewUid);
      return area ? area.key : null;
    },
    on: function (name, listener) { listeners[name].push(listener); },
  };

  areasBox.addEventListener('input', onAreaInput);
  areasBox.addEventListener('click', onAreaClick);
  areasBox.addEventListener('change', onMockupChosen);
  colorsBox.addEventListener('input', onColorInput);
  colorsBox.addEventListener('click', function (event) {
    var button = event.target.closest('[data-remove-color]');
    if (!button) return;
    state.colors.splice(Number(button.getAttribute('data-remove-color')), 1);
    markDirty();
    renderColors();
  });
  rulesBox.addEventListener('input', onRuleInput);
  rulesBox.addEventListener('change', onRuleInput);
  rulesBox.addEventListener('click', function (event) {
    var button = event.target.closest('[data-remove-rule]');
    if (!button) return;
    state.rules.splice(Number(button.getAttribute('data-remove-rule')), 1);
    markDirty();
    renderRules();
  });
  scoresBox.addEventListener('input', onScoreInput);
  scoresBox.addEventListener('click', function (event) {
    var button = event.target.closest('[data-remove-score]');
    if (!button) return;
    state.scores.splice(Number(button.getAttribute('data-remove-score')), 1);
    markDirty();
    renderScores();
  });
  form.querySelector('[data-add-score]').addEventListener('click', function () {
    if (state.scores.length >= limits.max_score_lines) return;
    state.scores.push({ x1_mm: '0', y1_mm: '0', x2_mm: '0', y2_mm: '0' });
    markDirty();
    renderScores();
    scoresBox.querySelector('[data-score="' + (state.scores.length - 1) + '"] input').focus();
  });
  form.querySelector('[data-add-area]').addEventListener('click', function () {
    if (state.areas.length >= limits.max_areas) return;
    addArea();
  });
  form.querySelector('[data-add-color]').addEventListener('click', function () {
    if (state.colors.length >= limits.max_colors) return;
    state.colors.push('#000000');
    markDirty();
    renderColors();
    var inputs = colorsBox.querySelectorAll('[data-color-text]');
    inputs[inputs.length - 1].focus();
  });
  form.querySelector('[data-add-rule]').addEventListener('click', function () {
    if (state.rules.length >= limits.max_price_rules) return;
    state.rules.push({ kind: 'area', target: state.areas.length ? state.areas[0].key : '', label: '', amount: '0' });
    markDirty();
    renderRules();
  });
  previewSelect.addEventListener('change', function () {
    var parts = previewSelect.value.split(':');
    previewUid = Number(parts[0]);
    previewView = parts.length > 1 ? Number(parts[1]) : null;
    renderAreas();
  });
  svg.addEventListener('pointerdown', startDrag);
  svg.addEventListener('pointermove', moveDrag);
  svg.addEventListener('pointerup', endDrag);
  svg.addEventListener('pointercancel', endDrag);
  svg.addEventListener('keydown', onPreviewKey);
  form.addEventListener('submit', save);
})();
