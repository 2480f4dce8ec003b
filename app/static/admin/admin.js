/* Luneo admin: the API client every admin page shares, and the small page behaviours.
 *
 * Inside Shopify's iframe there are no cookies: each call carries an App Bridge session token
 * (`Authorization: Bearer`). With the cookie session, writes send the CSRF token from
 * <meta name="luneo-csrf">. The server picks whichever it was given; pages never care which.
 */
(function () {
  'use strict';

  function meta(name) {
    var element = document.querySelector('meta[name="' + name + '"]');
    return element ? element.getAttribute('content') || '' : '';
  }

  async function sessionToken() {
    var bridge = window.shopify;
    if (bridge && typeof bridge.idToken === 'function') {
      try {
        return await bridge.idToken();
      } catch (error) {
        /* fall through to the token the page was loaded with */
      }
    }
    return new URLSearchParams(window.location.search).get('id_token') || '';
  }

  async function authHeaders() {
    if (meta('luneo-auth') === 'token') {
      var token = await sessionToken();
      return token ? { Authorization: 'Bearer ' + token } : {};
    }
    return { 'X-CSRF-Token': meta('luneo-csrf') };
  }

  /* fetch() for the admin API: resolves to {ok, status, data} or {ok: false, status, error}. */
  async function api(method, url, body) {
    var headers = Object.assign({ Accept: 'application/json' }, await authHeaders());
    var payload = body;
    if (body !== undefined && !(body instanceof FormData)) {
      headers['Content-Type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    var response;
    try {
      response = await fetch(url, {
        method: method,
        headers: headers,
        body: payload,
        credentials: 'same-origin',
      });
    } catch (error) {
      return {
        ok: false,
        status: 0,
        error: { code: 'network', message: 'Luneo could not be reached. Check your connection and try again.' },
      };
    }
    var data = null;
    try {
      data = await response.json();
    } catch (error) {
      data = null;
    }
    if (response.ok) return { ok: true, status: response.status, data: data };
    var fallback = { code: 'http_' + response.status, message: 'Something went wrong (' + response.status + '). Try again.' };
    return { ok: false, status: response.status, error: (data && data.error) || fallback };
  }

  function showError(message) {
    var box = document.querySelector('[data-action-error]');
    if (!box) return;
    box.textContent = message;
    box.hidden = false;
  }

  /* "Make customizable": create the template, then open its editor (the link's own href). */
  async function makeCustomizable(link) {
    if (link.getAttribute('aria-disabled') === 'true') return;
    link.setAttribute('aria-disabled', 'true');
    link.classList.add('is-busy');
    /* The product kind chosen beside the link (app/product_templates/presets.py), if any. */
    var row = link.closest('.row-actions, section');
    var select = row ? row.querySelector('[data-preset-select]') : null;
    var body = select ? { preset: select.value } : undefined;
    var result = await api('POST', link.getAttribute('data-make-customizable'), body);
    if (result.ok) {
      window.location.assign(link.href);
      return;
    }
    link.removeAttribute('aria-disabled');
    link.classList.remove('is-busy');
    showError(result.error.message);
  }

  document.addEventListener('click', function (event) {
    var link = event.target.closest('[data-make-customizable]');
    if (!link) return;
    event.preventDefault();
    makeCustomizable(link);
  });

  /* The dashboard's sync card: poll the sync's progress while it runs. */
  function renderSync(card, sync) {
    var bar = card.querySelector('[data-sync-progress]');
    var message = card.querySelector('[data-sync-message]');
    var badge = card.querySelector('[data-sync-badge]');
    var percent = sync.progress ? sync.progress.percent : 0;
    if (bar) {
      bar.setAttribute('aria-valuenow', String(percent));
      bar.firstElementChild.style.width = percent + '%';
    }
    if (message && sync.progress) {
      var counted = sync.progress.total ? sync.progress.done + ' of ' + sync.progress.total + ' · ' : '';
      message.textContent = counted + (sync.progress.message || 'Syncing your catalog…');
    }
    if (!sync.running) {
      card.querySelector('.sync-progress').hidden = true;
      if (badge) {
        badge.textContent = sync.state === 'failed' ? 'Failed' : 'Finished: reload for the new numbers';
        badge.className = 'badge ' + (sync.state === 'failed' ? 'badge--danger' : 'badge--success');
      }
    }
  }

  function pollSync(card) {
    var url = card.getAttribute('data-sync-poll');
    var timer = window.setInterval(async function () {
      var result = await api('GET', url);
      if (!result.ok) return;
      renderSync(card, result.data);
      if (!result.data.running) window.clearInterval(timer);
    }, 3000);
  }

  document.addEventListener('DOMContentLoaded', function () {
    document.querySelectorAll('[data-sync-poll]').forEach(pollSync);
  });

  /* A thumbnail's button ([data-enlarge]: the picture's URL) opens it large in one dialog for
     the page; Escape, the close button or a click outside the picture closes it. */
  var enlarged = null;

  function enlargeDialog() {
    if (enlarged) return enlarged;
    var dialog = document.createElement('dialog');
    dialog.className = 'enlarge';
    dialog.setAttribute('aria-labelledby', 'enlarge-caption');
    dialog.innerHTML = '<form method="dialog" class="enlarge__bar"><p id="enlarge-caption" class="enlarge__caption"></p>' +
      '<button class="button button--secondary button--small" value="close">Close</button></form><img class="enlarge__image" alt="">';
    dialog.addEventListener('click', function (event) {
      if (event.target === dialog) dialog.close();
    });
    document.body.appendChild(dialog);
    enlarged = dialog;
    return dialog;
  }

  document.addEventListener('click', function (event) {
    var button = event.target.closest('[data-enlarge]');
    if (!button) return;
    event.preventDefault();
    var dialog = enlargeDialog();
    var thumb = button.querySelector('img');
    var image = dialog.querySelector('img');
    image.src = button.getAttribute('data-enlarge');
    image.alt = thumb ? thumb.alt : '';
    dialog.querySelector('.enlarge__caption').textContent = button.getAttribute('data-caption') || image.alt;
    dialog.showModal();
  });

  /* The error body of a non-JSON call (a preview, a download) in api()'s shape. */
  async function errorOf(response) {
    var data = null;
    try {
      data = await response.json();
    } catch (error) {
      data = null;
    }
    return (data && data.error) || { code: 'http_' + response.status, message: 'Something went wrong (' + response.status + '). Try again.' };
  }

  /* authHeaders: for calls that answer something other than JSON (images, downloads). */
  window.Luneo = { api: api, authHeaders: authHeaders, errorOf: errorOf };
})();
