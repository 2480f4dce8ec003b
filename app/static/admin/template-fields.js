/* Luneo template editor: the "Fields" section (what shoppers fill in, SPEC18 §1).
 *
 * The fields live in the editor's state in their wire shape (`state.fields`, each with a page-only
 * `_uid`), so saving sends them as they are. Every input names the key it edits relative to its
 * field (`data-key="box.width_mm"`, `options[2].label`) and carries the server's error path
 * (`data-field="fields[3].box.width_mm"`), so a 422 lands next to the right input. The list is
 * redrawn on structural changes (add, remove, reorder, a kind-dependent choice); typing only
 * writes into the state, so focus stays put.
 */
(function () {
  'use strict';

  var editor = window.LuneoTemplateEditor;
  var section = document.querySelector('[data-fields-section]');
  if (!editor || !section) return;

  var el = editor.el;
  var options = editor.options;
  var product = editor.product;
  var list = section.querySelector('[data-fields-list]');
  var filter = section.querySelector('[data-fields-filter]');
  var empty = section.querySelector('[data-fields-empty]');
  var announcer = section.querySelector('[data-fields-status]');
  var MAX_FIELDS = 40;
  var MAX_OPTIONS = 50;
  var KIND_NAMES = { text: 'Text', photo: 'Photo frame', clipart: 'Clipart choice', choice: 'Choice' };
  var collapsed = new Set(); /* uids of folded cards */
  var lastShape = '';

  function state() { return editor.state; }
  function fields() { return state().fields; }

  /* ------------------------------------------------------------ keys and values */

  function tokens(key) {
    return key.match(/[^.[\]]+/g).map(function (t) { return /^\d+$/.test(t) ? Number(t) : t; });
  }

  function getKey(object, key) {
    return tokens(key).reduce(function (node, t) { return node === undefined || node === null ? undefined : node[t]; }, object);
  }

  function setKey(object, key, value) {
    var path = tokens(key);
    var node = object;
    for (var i = 0; i < path.length - 1; i++) {
      if (node[path[i]] === undefined || node[path[i]] === null || typeof node[path[i]] !== 'object') {
        node[path[i]] = typeof path[i + 1] === 'number' ? [] : {};
      }
      node = node[path[i]];
    }
    if (value === undefined) delete node[path[path.length - 1]];
    else node[path[path.length - 1]] = value;
  }

  /* A typed number when it is one, else the text as typed (the server names what is wrong). */
  function numberOrText(raw) {
    var text = String(raw).trim();
    if (text === '') return undefined;
    var n = Number(text);
    return Number.isFinite(n) ? n : text;
  }

  function readInput(input) {
    var type = input.getAttribute('data-type') || 'text';
    if (type === 'bool') return input.checked;
    if (type === 'num') return numberOrText(input.value);
    if (type === 'opt') return input.value.trim() === '' ? undefined : input.value;
    if (type === 'nullable') return input.value === '' ? null : input.value;
    if (type === 'variant') return input.value === '' ? undefined : Number(input.value);
    return input.value;
  }

  function fieldByUid(uid) {
    return fields().find(function (f) { return f._uid === uid; }) || null;
  }

  function uniqueId(base) {
    var taken = new Set(fields().map(function (f) { return f.id; }));
    for (var n = 1; ; n++) {
      if (!taken.has(base + '-' + n)) return base + '-' + n;
    }
  }

  function areaKeys() {
    return state().areas.map(function (a) { return a.key; });
  }

  function areaSize(key) {
    var area = state().areas.find(function (a) { return a.key === key; }) || state().areas[0];
    return { w: editor.num(area && area.width_mm) || 100, h: editor.num(area && area.height_mm) || 100 };
  }

  function round1(v) { return Math.round(v * 10) / 10; }

  function centredBox(areaKey, fw, fh) {
    var size = areaSize(areaKey);
    var w = round1(size.w * fw);
    var h = round1(size.h * fh);
    return { x_mm: round1((size.w - w) / 2), y_mm: round1((size.h - h) / 2), width_mm: w, height_mm: h, rotation_deg: 0 };
  }

  function fontChoices() {
    var chosen = state().fonts;
    return chosen.length ? chosen : options.fonts.map(function (f) { return f.family; });
  }

  function clipartSets(only) {
    return (product.clipart || []).filter(function (set) { return !only || only.indexOf(set.set) !== -1; });
  }

  function newField(kind) {
    var area = editor.selectedAreaKey() || areaKeys()[0];
    var field = { _uid: editor.uid(), id: uniqueId(kind), kind: kind, label: KIND_NAMES[kind], required: false };
    if (kind === 'text') {
      var box = centredBox(area, 0.8, 0.25);
      Object.assign(field, {
        label: 'Name', area: area, placeholder: '', default: '', max_chars: 40, uppercase: false,
        font: fontChoices()[0] || 'Inter', fonts: [], color: state().colors[0] || '#000000', colors: [],
        size_mm: round1(box.height_mm * 0.6), auto_fit: true, align: 'center', arc_degrees: 0, weight: 400,
        box: box, movable: false,
      });
    } else if (kind === 'photo') {
      Object.assign(field, { label: 'Your photo', area: area, shape: 'rect', min_dpi: Number(state().min_image_dpi) || 150, box: centredBox(area, 0.6, 0.6), movable: false });
    } else if (kind === 'clipart') {
      var sets = state().clipart_sets.slice(0, 1);
      Object.assign(field, { label: 'Picture', area: area, sets: sets, default: null, box: centredBox(area, 0.4, 0.4), movable: false });
    } else {
      Object.assign(field, { label: 'Style', display: 'buttons', default: null, options: [{ value: 'option-1', label: 'Option 1' }] });
    }
    return field;
  }

  /* ------------------------------------------------------------ small builders */

  function pathOf(index, key) {
    return 'fields[' + index + '].' + key;
  }

  function idFor(field, key) {
    return 'f' + field._uid + '-' + key.replace(/[^a-z0-9]+/gi, '-');
  }

  function input(field, index, key, label, attrs, hint) {
    var type = (attrs && attrs['data-type']) || 'text';
    var node = el('input', Object.assign({ type: type === 'num' ? 'number' : 'text', 'data-key': key }, attrs || {}));
    var value = getKey(field, key);
    node.value = value === undefined || value === null ? '' : value;
    return editor.inputField(idFor(field, key), label, pathOf(index, key), node, hint);
  }

  function check(field, index, key, label) {
    var id = idFor(field, key);
    var box = el('input', { type: 'checkbox', id: id, 'data-key': key, 'data-type': 'bool', 'data-field': pathOf(index, key) });
    box.checked = !!getKey(field, key);
    return el('div', { class: 'field field--check' }, [box, el('label', { for: id, text: label }), editor.errorLine(pathOf(index, key))]);
  }

  function select(field, index, key, label, choices, attrs, hint) {
    var node = el('select', Object.assign({ 'data-key': key }, attrs || {}), choices.map(function (c) {
      return c.group
        ? el('optgroup', { label: c.group }, c.items.map(function (i) { return el('option', { value: i.value, text: i.label }); }))
        : el('option', { value: c.value, text: c.label });
    }));
    var value = getKey(field, key);
    node.value = value === undefined || value === null ? '' : String(value);
    return editor.inputField(idFor(field, key), label, pathOf(index, key), node, hint);
  }

  function colour(field, index, key, label, optional) {
    var value = getKey(field, key);
    var id = idFor(field, key);
    var picker = el('input', { type: 'color', 'data-pick-for': key, 'aria-label': label + ' picker' });
    picker.value = /^#[0-9a-f]{6}$/i.test(value || '') ? value : '#000000';
    var text = el('input', { type: 'text', class: 'mono', id: id, maxlength: 7, spellcheck: 'false', 'data-key': key, 'data-type': optional ? 'opt' : 'text', 'data-field': pathOf(index, key), placeholder: optional ? 'none' : '' });
    text.value = value || '';
    var error = editor.errorLine(pathOf(index, key));
    text.setAttribute('aria-describedby', error.id);
    return el('div', { class: 'field' }, [el('label', { for: id, text: label }), el('div', { class: 'color' }, [picker, text]), error]);
  }

  /* A group of checkboxes editing one list (`data-list-key`). */
  function checklist(field, index, key, legend, items, hint) {
    var chosen = getKey(field, key) || [];
    var group = el('fieldset', { class: 'plain checklist', 'data-field': pathOf(index, key) }, [el('legend', { class: 'small', text: legend })]);
    if (hint) group.appendChild(el('p', { class: 'hint', text: hint }));
    var boxes = el('div', { class: 'choices' });
    items.forEach(function (item, n) {
      var id = idFor(field, key) + '-' + n;
      var box = el('input', { type: 'checkbox', id: id, value: item.value, 'data-list-key': key });
      box.checked = chosen.indexOf(item.value) !== -1;
      boxes.appendChild(el('label', { class: 'choice', for: id }, [box, item.swatch ? el('span', { class: 'dot', style: 'background:' + item.swatch }) : null, el('span', { text: item.label })]));
    });
    if (!items.length) boxes.appendChild(el('p', { class: 'small muted', text: 'Nothing to choose from yet.' }));
    group.appendChild(boxes);
    group.appendChild(editor.errorLine(pathOf(index, key)));
    return group;
  }

  function group(title, children) {
    return el('fieldset', { class: 'plain field-group' }, [el('legend', { class: 'small', text: title }), el('div', { class: 'fields' }, children)]);
  }

  function boxInputs(field, index, prefix) {
    var num = { 'data-type': 'num', step: 0.1, inputmode: 'decimal' };
    return [
      input(field, index, prefix + '.x_mm', 'Left (mm)', num),
      input(field, index, prefix + '.y_mm', 'Top (mm)', num),
      input(field, index, prefix + '.width_mm', 'Width (mm)', Object.assign({ min: 0.1 }, num)),
      input(field, index, prefix + '.height_mm', 'Height (mm)', Object.assign({ min: 0.1 }, num)),
      input(field, index, prefix + '.rotation_deg', 'Rotation (°)', Object.assign({ min: -360, max: 360 }, num)),
    ];
  }

  function clipartItems(sets) {
    return clipartSets(sets).map(function (set) {
      return { group: set.label, items: set.items.map(function (i) { return { value: i.src, label: i.label }; }) };
    });
  }

  /* ------------------------------------------------------------ one field's form */

  function common(field, index) {
    var parts = [
      input(field, index, 'id', 'Key', { maxlength: 40, autocapitalize: 'off', spellcheck: 'false', 'data-rename': '' }, 'Lowercase letters, digits, - and _: how orders and designs name it.'),
      input(field, index, 'label', 'Label shoppers read', { maxlength: 80 }),
      input(field, index, 'help', 'Help text (optional)', { maxlength: 200, 'data-type': 'opt' }),
    ];
    var areaChoices = state().areas.map(function (a) { return { value: a.key, label: (a.name || a.key) + ' (' + a.key + ')' }; });
    if (field.kind === 'choice') areaChoices.unshift({ value: '', label: 'None (no picture)' });
    parts.push(select(field, index, 'area', field.kind === 'choice' ? 'Side for option pictures' : 'Side (print area)', areaChoices, { 'data-type': field.kind === 'choice' ? 'opt' : 'text', 'data-redraw': '' }));
    return parts;
  }

  function visibility(field, index) {
    var earlier = fields().slice(0, index).filter(function (f) { return f.kind === 'choice'; });
    var rule = field.visible_when || null;
    var choices = [{ value: '', label: 'Always' }].concat(earlier.map(function (f) { return { value: f.id, label: 'When “' + (f.label || f.id) + '” is…' }; }));
    if (rule && !earlier.some(function (f) { return f.id === rule.field; })) choices.push({ value: rule.field, label: rule.field + ' (not an earlier choice)' });
    var picker = select(field, index, 'visible_when.field', 'Show this field', choices, { 'data-visibility': '' }, earlier.length ? '' : 'Add a choice field above this one to show this field only for some options.');
    var parts = [picker];
    if (rule) {
      var source = earlier.find(function (f) { return f.id === rule.field; });
      var items = source ? (source.options || []).map(function (o) { return { value: o.value, label: o.label || o.value }; }) : [];
      parts.push(checklist(field, index, 'visible_when.in', 'one of these options', items));
    }
    return group('Visibility', parts);
  }

  function pricing(field, index) {
    var step = options.currency_places ? String(Math.pow(10, -options.currency_places)) : '1';
    var money = { 'data-type': 'opt', inputmode: 'decimal', 'data-price': '' };
    var parts = [input(field, index, 'price.amount', 'Price when filled (' + options.currency + ')', money, 'Blank: free.')];
    if (field.kind === 'text') parts.push(input(field, index, 'price.per_character', 'Per character (' + options.currency + ')', money, 'Spaces are free.'));
    parts.forEach(function (p) { p.querySelector('input').setAttribute('step', step); });
    return group('Price', parts);
  }

  function textSettings(field, index) {
    var fonts = fontChoices().map(function (f) { return { value: f, label: f }; });
    var colours = state().colors.map(function (c) { return { value: c, label: c, swatch: c }; });
    return [
      group('What shoppers type', [
        input(field, index, 'placeholder', 'Placeholder', { maxlength: 80 }),
        input(field, index, 'default', 'Default text', { maxlength: 500, 'data-sample': '' }),
        input(field, index, 'max_chars', 'Most characters', { 'data-type': 'num', min: 1, max: 500, step: 1, inputmode: 'numeric' }),
        check(field, index, 'required', 'Required'),
        check(field, index, 'uppercase', 'Always UPPERCASE'),
      ]),
      group('Look', [
        select(field, index, 'font', 'Font', fonts),
        checklist(field, index, 'fonts', 'Shoppers may also pick', fonts, 'None ticked: the font is locked.'),
        colour(field, index, 'color', 'Colour'),
        checklist(field, index, 'colors', 'Shoppers may pick from', colours, 'None ticked: the colour is locked. The list is the template’s colours.'),
        input(field, index, 'size_mm', 'Text size (mm)', { 'data-type': 'num', min: 0.1, step: 0.1, inputmode: 'decimal' }),
        input(field, index, 'weight', 'Weight (100–900)', { 'data-type': 'num', min: 100, max: 900, step: 100, inputmode: 'numeric' }),
        check(field, index, 'auto_fit', 'Shrink long text to fit the box'),
        input(field, index, 'min_size_mm', 'Never smaller than (mm)', { 'data-type': 'num', min: 0.1, step: 0.1, inputmode: 'decimal' }, 'Blank: a third of the text size.'),
        select(field, index, 'align', 'Alignment', [{ value: 'left', label: 'Left' }, { value: 'center', label: 'Centre' }, { value: 'right', label: 'Right' }]),
        input(field, index, 'arc_degrees', 'Curve (°, − smiles)', { 'data-type': 'num', min: -360, max: 360, step: 1, inputmode: 'numeric' }),
      ]),
    ];
  }

  function photoSettings(field, index) {
    var shapes = [{ value: 'rect', label: 'Rectangle' }, { value: 'rounded', label: 'Rounded rectangle' }, { value: 'ellipse', label: 'Ellipse / circle' }, { value: 'mask', label: 'Shape of a clipart piece' }];
    var parts = [
      select(field, index, 'shape', 'Frame shape', shapes, { 'data-redraw': '' }),
      input(field, index, 'min_dpi', 'Lowest resolution in the frame (DPI)', { 'data-type': 'num', min: 50, max: 1200, step: 1, inputmode: 'numeric' }, 'Below this the shopper is asked for a larger photo.'),
      check(field, index, 'required', 'Required'),
    ];
    if (field.shape === 'mask') {
      parts.splice(1, 0, select(field, index, 'mask', 'Mask', [{ value: '', label: 'Choose a piece' }].concat(clipartItems(null)), { 'data-type': 'opt' }));
    }
    return [group('Frame', parts)];
  }

  function clipartSettings(field, index) {
    var allowed = state().clipart_sets;
    var sets = clipartSets(allowed).map(function (s) { return { value: s.set, label: s.label }; });
    return [group('Pieces', [
      checklist(field, index, 'sets', 'Sets offered', sets, 'From the template’s clipart sets.'),
      select(field, index, 'default', 'Default piece', [{ value: '', label: 'None' }].concat(clipartItems(field.sets || [])), { 'data-type': 'nullable' }),
      colour(field, index, 'color', 'Recolour (optional)', true),
      check(field, index, 'required', 'Required'),
    ])];
  }

  function optionRow(field, index, option, n) {
    var key = 'options[' + n + ']';
    var title = 'Option ' + (n + 1) + (option.label ? ': ' + option.label : '');
    var variants = [{ value: '', label: 'No variant change' }].concat((product.variants || []).map(function (v) { return { value: String(v.id), label: v.title }; }));
    var targets = fields().filter(function (f) { return f.kind === 'text' || f.kind === 'clipart'; }).map(function (f) { return { value: f.id, label: f.label || f.id }; });
    var parts = [
      input(field, index, key + '.value', 'Value', { maxlength: 40, autocapitalize: 'off', spellcheck: 'false' }),
      input(field, index, key + '.label', 'Label', { maxlength: 80 }),
      colour(field, index, key + '.swatch', 'Swatch (optional)', true),
      input(field, index, key + '.price', 'Price (' + options.currency + ')', { 'data-type': 'opt', inputmode: 'decimal' }, 'Blank: free.'),
      select(field, index, key + '.variant_id', 'Selects the product variant', variants, { 'data-type': 'variant' }),
    ];
    var effects = [check(field, index, key + '.has_color', 'Sets the colour of fields'), check(field, index, key + '.has_layer', 'Adds a picture')];
    effects[0].querySelector('input').checked = !!option.color;
    effects[0].querySelector('input').setAttribute('data-effect', 'color');
    effects[1].querySelector('input').checked = !!option.layer;
    effects[1].querySelector('input').setAttribute('data-effect', 'layer');
    effects.forEach(function (e) { e.querySelector('input').removeAttribute('data-key'); });
    var more = [];
    if (option.color) {
      more.push(checklist(field, index, key + '.color.fields', 'Fields it colours', targets));
      more.push(colour(field, index, key + '.color.value', 'Colour'));
    }
    if (option.layer) {
      more.push(select(field, index, key + '.layer.clipart', 'Picture', [{ value: '', label: 'Choose a piece' }].concat(clipartItems(null)), { 'data-type': 'opt' }));
      more = more.concat(boxInputs(field, index, key + '.layer.box'));
    }
    var last = (field.options || []).length - 1;
    return el('fieldset', { class: 'option', 'data-option': n }, [
      el('legend', { text: title }),
      el('div', { class: 'area__tools' }, [
        el('button', { type: 'button', class: 'button button--secondary button--small', 'data-opt-act': 'up', disabled: n === 0, 'aria-label': 'Move ' + title + ' up', text: '↑' }),
        el('button', { type: 'button', class: 'button button--secondary button--small', 'data-opt-act': 'down', disabled: n === last, 'aria-label': 'Move ' + title + ' down', text: '↓' }),
        el('button', { type: 'button', class: 'button button--secondary button--small', 'data-opt-act': 'remove', disabled: last === 0, 'aria-label': 'Remove ' + title, text: 'Remove' }),
      ]),
      el('div', { class: 'fields' }, parts.concat(effects, more)),
      editor.errorLine(pathOf(index, key)),
    ]);
  }

  function choiceSettings(field, index) {
    var displays = [{ value: 'buttons', label: 'Buttons' }, { value: 'swatches', label: 'Colour swatches' }, { value: 'dropdown', label: 'Drop-down list' }];
    var defaults = [{ value: '', label: 'None (shopper picks)' }].concat((field.options || []).map(function (o) { return { value: o.value, label: o.label || o.value }; }));
    var rows = (field.options || []).map(function (option, n) { return optionRow(field, index, option, n); });
    return [
      group('Choice', [
        select(field, index, 'display', 'Shown as', displays),
        select(field, index, 'default', 'Preselected', defaults, { 'data-type': 'nullable' }),
        check(field, index, 'required', 'Required'),
      ]),
      el('div', { class: 'options' }, [
        el('p', { class: 'field-error', 'data-error-for': pathOf(index, 'options') }),
        el('div', { class: 'options__list' }, rows),
        el('button', { type: 'button', class: 'button button--secondary button--small', 'data-opt-act': 'add', disabled: rows.length >= MAX_OPTIONS, text: 'Add option' }),
      ]),
    ];
  }

  function placement(field, index) {
    if (field.kind === 'choice') return null;
    return group('Place on the side', boxInputs(field, index, 'box').concat([check(field, index, 'movable', 'Shoppers may move and resize it (canvas mode)')]));
  }

  function cardTitle(field, index) {
    return 'Field ' + (index + 1) + ' · ' + KIND_NAMES[field.kind] + ': ' + (field.label || field.id);
  }

  function card(field, index) {
    var title = cardTitle(field, index);
    var last = fields().length - 1;
    var folded = collapsed.has(field._uid);
    var bodyId = 'field-body-' + field._uid;
    var settings = { text: textSettings, photo: photoSettings, clipart: clipartSettings, choice: choiceSettings }[field.kind];
    var body = el('div', { class: 'field-card__body', id: bodyId, hidden: folded }, [
      el('div', { class: 'fields' }, common(field, index)),
    ].concat(settings ? settings(field, index) : [el('p', { class: 'field-error', text: 'Unknown kind: ' + field.kind })], [
      placement(field, index), visibility(field, index), pricing(field, index), editor.errorLine(pathOf(index, 'box')), editor.errorLine('fields[' + index + ']'),
    ]));
    var tools = el('div', { class: 'area__tools' }, [
      el('span', { class: 'drag-handle', 'data-drag-handle': '', title: 'Drag to reorder', 'aria-hidden': 'true', text: '⠿' }),
      el('button', { type: 'button', class: 'button button--secondary button--small', 'data-act': 'toggle', 'aria-expanded': String(!folded), 'aria-controls': bodyId, 'aria-label': (folded ? 'Show ' : 'Hide ') + title, text: folded ? 'Show' : 'Hide' }),
      el('button', { type: 'button', class: 'button button--secondary button--small', 'data-act': 'up', disabled: index === 0, 'aria-label': 'Move ' + title + ' up', text: '↑' }),
      el('button', { type: 'button', class: 'button button--secondary button--small', 'data-act': 'down', disabled: index === last, 'aria-label': 'Move ' + title + ' down', text: '↓' }),
      el('button', { type: 'button', class: 'button button--secondary button--small', 'data-act': 'remove', 'aria-label': 'Remove ' + title, text: 'Remove' }),
    ]);
    var node = el('li', { class: 'field-card', 'data-field-card': '', 'data-uid': field._uid, 'data-kind': field.kind, 'data-collapsed': String(folded) }, [
      el('fieldset', { class: 'area' }, [el('legend', { text: title }), tools, body]),
    ]);
    return node;
  }

  /* ------------------------------------------------------------ drawing */

  function shape() {
    /* What the forms depend on besides the fields themselves. */
    return JSON.stringify([areaKeys(), state().fonts, state().colors, state().clipart_sets]);
  }

  function renderFilter() {
    var current = filter.value;
    filter.replaceChildren.apply(filter, [el('option', { value: '', text: 'All sides' })].concat(state().areas.map(function (a) {
      return el('option', { value: a.key, text: a.name || a.key });
    })));
    filter.value = areaKeys().indexOf(current) !== -1 ? current : '';
  }

  function applyFilter() {
    var key = filter.value;
    list.querySelectorAll('[data-field-card]').forEach(function (node) {
      var field = fieldByUid(Number(node.getAttribute('data-uid')));
      node.hidden = !!key && !!field && !!field.area && field.area !== key;
    });
  }

  /* uid -> field id at the last drawing: a reload (after Save) gives new uids, and folded cards
     stay folded by their id. */
  var idsAtRender = new Map();

  function keepFoldedAcrossReload() {
    var folded = new Set();
    collapsed.forEach(function (uid) { if (idsAtRender.has(uid)) folded.add(idsAtRender.get(uid)); });
    collapsed = new Set(fields().filter(function (f) { return folded.has(f.id); }).map(function (f) { return f._uid; }));
  }

  function render() {
    lastShape = shape();
    idsAtRender = new Map(fields().map(function (f) { return [f._uid, f.id]; }));
    renderFilter();
    list.replaceChildren.apply(list, fields().map(card));
    empty.hidden = fields().length > 0;
    section.querySelectorAll('[data-add-field]').forEach(function (b) { b.disabled = fields().length >= MAX_FIELDS; });
    applyFilter();
  }

  function focusIn(uid, selector) {
    var node = list.querySelector('[data-uid="' + uid + '"] ' + selector);
    if (node && !node.disabled) node.focus();
    else {
      var fallback = list.querySelector('[data-uid="' + uid + '"] input, [data-uid="' + uid + '"] button:not([disabled])');
      if (fallback) fallback.focus();
    }
  }

  function changed() {
    editor.markDirty();
  }

  function announce(text) {
    announcer.textContent = text;
  }

  /* ------------------------------------------------------------ editing */

  function renameReferences(before, after) {
    if (!before || before === after) return;
    fields().forEach(function (f) {
      if (f.visible_when && f.visible_when.field === before) f.visible_when.field = after;
      (f.options || []).forEach(function (o) {
        if (o.color && Array.isArray(o.color.fields)) {
          o.color.fields = o.color.fields.map(function (id) { return id === before ? after : id; });
        }
      });
    });
  }

  function onInput(event) {
    var target = event.target;
    var node = target.closest('[data-field-card]');
    if (!node) return;
    var field = fieldByUid(Number(node.getAttribute('data-uid')));
    var index = fields().indexOf(field);
    var key = target.getAttribute('data-key');
    var listKey = target.getAttribute('data-list-key');
    var pickFor = target.getAttribute('data-pick-for');
    var optionAct = target.getAttribute('data-effect');
    /* Selects and checkboxes answer on change, typing on input: each edit is handled once. */
    var toggles = target.tagName === 'SELECT' || target.type === 'checkbox';
    if (toggles ? event.type !== 'change' : event.type !== 'input') return;
    if (pickFor) {
      setKey(field, pickFor, target.value);
      var text = node.querySelector('[data-key="' + CSS.escape(pickFor) + '"]');
      if (text) text.value = target.value;
    } else if (listKey) {
      var values = Array.prototype.filter.call(node.querySelectorAll('[data-list-key="' + CSS.escape(listKey) + '"]'), function (b) { return b.checked; })
        .map(function (b) { return b.value; });
      setKey(field, listKey, values);
      if (listKey === 'sets') redraw(field, target);
    } else if (optionAct) {
      var row = target.closest('[data-option]');
      var option = field.options[Number(row.getAttribute('data-option'))];
      /* Start an effect complete (the first text field, the first piece) so it draws at once. */
      if (optionAct === 'color') {
        var firstText = fields().find(function (f) { return f.kind === 'text' || f.kind === 'clipart'; });
        if (target.checked) option.color = { fields: firstText ? [firstText.id] : [], value: state().colors[0] || '#000000' };
        else delete option.color;
      } else if (target.checked) {
        var pieces = clipartSets(null)[0];
        if (!field.area) field.area = editor.selectedAreaKey() || areaKeys()[0];
        option.layer = { clipart: pieces && pieces.items[0] ? pieces.items[0].src : '', box: centredBox(field.area, 0.3, 0.3) };
      } else {
        delete option.layer;
      }
      redraw(field, target);
    } else if (key) {
      var before = getKey(field, key);
      var value = readInput(target);
      if (target.hasAttribute('data-visibility')) {
        if (value === '' || value === undefined) delete field.visible_when;
        else field.visible_when = { field: value, in: [] };
        redraw(field, target);
        changed();
        return;
      }
      setKey(field, key, value);
      if (key.indexOf('price.') === 0 && field.price && !field.price.amount && !field.price.per_character) delete field.price;
      if (key === 'id') {
        renameReferences(before, value);
        idsAtRender.set(field._uid, value);
      }
      if (/^#[0-9a-f]{6}$/i.test(String(value || ''))) {
        var picker = node.querySelector('[data-pick-for="' + CSS.escape(key) + '"]');
        if (picker) picker.value = value;
      }
      if (key === 'label' || key === 'id') node.querySelector('legend').textContent = cardTitle(field, index);
      if (target.hasAttribute('data-redraw')) redraw(field, target);
      else if (/^options\[\d+\]\.(label|value)$/.test(key)) syncOptionLabels(field, node);
    } else {
      return;
    }
    changed();
  }

  /* Option labels show in this card's "Preselected" list and in later fields' visibility lists. */
  function syncOptionLabels(field, node) {
    var index = fields().indexOf(field);
    var row = node.querySelector('[data-key="default"]');
    if (row) {
      var current = row.value;
      row.replaceChildren.apply(row, [el('option', { value: '', text: 'None (shopper picks)' })].concat(field.options.map(function (o) {
        return el('option', { value: o.value, text: o.label || o.value });
      })));
      row.value = current;
    }
    node.querySelectorAll('[data-option] > legend').forEach(function (legend, n) {
      var o = field.options[n];
      legend.textContent = 'Option ' + (n + 1) + (o && o.label ? ': ' + o.label : '');
    });
    /* later cards that depend on it are redrawn when focus leaves this card */
    node.setAttribute('data-stale-dependants', String(index));
  }

  function redraw(field, target) {
    var key = target.getAttribute('data-key') || target.getAttribute('data-list-key') || target.getAttribute('data-effect');
    var option = target.closest('[data-option]');
    render();
    var scope = option ? '[data-option="' + option.getAttribute('data-option') + '"] ' : '';
    var selector = target.hasAttribute('data-effect')
      ? scope + '[data-effect="' + key + '"]'
      : target.hasAttribute('data-list-key') ? '[data-list-key="' + CSS.escape(key) + '"][value="' + CSS.escape(target.value) + '"]' : '[data-key="' + CSS.escape(key) + '"]';
    focusIn(field._uid, selector);
  }

  function move(from, to) {
    var list_ = fields();
    if (to < 0 || to >= list_.length || from === to) return;
    var field = list_.splice(from, 1)[0];
    list_.splice(to, 0, field);
    changed();
    render();
    announce('Moved “' + (field.label || field.id) + '” to position ' + (to + 1) + ' of ' + list_.length + '.');
  }

  function onClick(event) {
    var node = event.target.closest('[data-field-card]');
    if (!node) return;
    var field = fieldByUid(Number(node.getAttribute('data-uid')));
    var index = fields().indexOf(field);
    var optionButton = event.target.closest('[data-opt-act]');
    if (optionButton) {
      onOptionClick(field, optionButton);
      return;
    }
    var button = event.target.closest('[data-act]');
    if (!button) return;
    var act = button.getAttribute('data-act');
    if (act === 'toggle') {
      if (collapsed.has(field._uid)) collapsed.delete(field._uid);
      else collapsed.add(field._uid);
      render();
      focusIn(field._uid, '[data-act="toggle"]');
      return;
    }
    if (act === 'up' || act === 'down') {
      move(index, act === 'up' ? index - 1 : index + 1);
      focusIn(field._uid, '[data-act="' + act + '"]');
    } else if (act === 'remove') {
      fields().splice(index, 1);
      changed();
      render();
      announce('Removed “' + (field.label || field.id) + '”.');
      var next = list.querySelectorAll('[data-field-card]')[Math.min(index, fields().length - 1)];
      (next ? next.querySelector('[data-act="remove"]') : section.querySelector('[data-add-field]')).focus();
    }
  }

  function onOptionClick(field, button) {
    var act = button.getAttribute('data-opt-act');
    var opts = field.options = field.options || [];
    if (act === 'add') {
      var taken = new Set(opts.map(function (o) { return o.value; }));
      var n = opts.length + 1;
      while (taken.has('option-' + n)) n++;
      opts.push({ value: 'option-' + n, label: 'Option ' + n });
      changed();
      render();
      focusIn(field._uid, '[data-option="' + (opts.length - 1) + '"] input');
      return;
    }
    var row = Number(button.closest('[data-option]').getAttribute('data-option'));
    if (act === 'remove') {
      var removed = opts.splice(row, 1)[0];
      if (field.default === removed.value) field.default = null;
    } else {
      var to = act === 'up' ? row - 1 : row + 1;
      if (to < 0 || to >= opts.length) return;
      opts.splice(to, 0, opts.splice(row, 1)[0]);
      row = to;
    }
    changed();
    render();
    var again = list.querySelector('[data-uid="' + field._uid + '"] [data-option="' + Math.min(row, opts.length - 1) + '"] [data-opt-act="' + act + '"]');
    if (again && !again.disabled) again.focus();
    else focusIn(field._uid, '[data-opt-act="add"]');
  }

  function add(kind) {
    if (fields().length >= MAX_FIELDS) return;
    var field = newField(kind);
    fields().push(field);
    filter.value = '';
    changed();
    render();
    announce('Added “' + field.label + '” as field ' + fields().length + '.');
    focusIn(field._uid, '[data-key="label"]');
  }

  /* Drag by the handle (pointer events: mouse, pen and touch alike); the ↑ ↓ buttons do the
     same from the keyboard. */
  var dragged = null; /* {uid, pointerId} */

  function cardAt(x, y) {
    var hit = document.elementFromPoint(x, y);
    return hit ? hit.closest('[data-field-card]') : null;
  }

  function dropIndex(event) {
    var node = cardAt(event.clientX, event.clientY);
    if (!node || !list.contains(node)) return null;
    var target = fields().indexOf(fieldByUid(Number(node.getAttribute('data-uid'))));
    var rect = node.getBoundingClientRect();
    return event.clientY > rect.top + rect.height / 2 ? target + 1 : target;
  }

  function markDrop(event) {
    list.querySelectorAll('.drop-before, .drop-after').forEach(function (n) { n.classList.remove('drop-before', 'drop-after'); });
    var node = cardAt(event.clientX, event.clientY);
    if (!node || !list.contains(node)) return;
    var rect = node.getBoundingClientRect();
    node.classList.add(event.clientY > rect.top + rect.height / 2 ? 'drop-after' : 'drop-before');
  }

  function onPointerDown(event) {
    var handle = event.target.closest('[data-drag-handle]');
    var node = event.target.closest('[data-field-card]');
    if (!handle || !node || event.button > 0) return;
    event.preventDefault();
    handle.setPointerCapture(event.pointerId);
    dragged = { uid: Number(node.getAttribute('data-uid')), pointerId: event.pointerId };
    node.classList.add('is-dragging');
  }

  function onPointerMove(event) {
    if (!dragged || event.pointerId !== dragged.pointerId) return;
    markDrop(event);
  }

  function endDrag(event, drop) {
    if (!dragged || event.pointerId !== dragged.pointerId) return;
    var uid = dragged.uid;
    dragged = null;
    list.querySelectorAll('.is-dragging, .drop-before, .drop-after').forEach(function (n) { n.classList.remove('is-dragging', 'drop-before', 'drop-after'); });
    if (!drop) return;
    var from = fields().indexOf(fieldByUid(uid));
    var to = dropIndex(event);
    if (to === null || from === -1) return;
    if (to > from) to -= 1;
    if (to === from) return;
    move(from, to);
    focusIn(uid, '[data-act="up"]');
  }

  /* ------------------------------------------------------------ start */

  list.addEventListener('input', onInput);
  list.addEventListener('change', onInput);
  list.addEventListener('click', onClick);
  list.addEventListener('pointerdown', onPointerDown);
  list.addEventListener('pointermove', onPointerMove);
  list.addEventListener('pointerup', function (event) { endDrag(event, true); });
  list.addEventListener('pointercancel', function (event) { endDrag(event, false); });
  list.addEventListener('focusout', function (event) {
    var node = event.target.closest('[data-stale-dependants]');
    if (node && !node.contains(event.relatedTarget)) {
      var uid = Number(node.getAttribute('data-uid'));
      node.removeAttribute('data-stale-dependants');
      var next = event.relatedTarget;
      var inside = next && list.contains(next);
      render();
      /* Focus that left the list stays where it went; inside it, the same input gets it back. */
      if (inside && next.id && document.getElementById(next.id)) document.getElementById(next.id).focus({ preventScroll: true });
      else if (inside) focusIn(uid, '[data-opt-act="add"]');
    }
  });
  filter.addEventListener('change', applyFilter);
  section.querySelectorAll('[data-add-field]').forEach(function (button) {
    button.addEventListener('click', function () { add(button.getAttribute('data-add-field')); });
  });
  editor.on('load', function () {
    keepFoldedAcrossReload();
    render();
  });
  editor.on('change', function () {
    /* Areas, fonts, colours or clipart sets changed elsewhere on the page: redraw the choices. */
    if (shape() !== lastShape && !list.contains(document.activeElement)) render();
  });
  render();
  window.LuneoTemplateFields = { kindName: function (kind) { return KIND_NAMES[kind]; } };
})();
