/* What the pages behind a signed link share (the browser's side of app/storefront/signed_pages.py:
   the recovery page and the page to change an ordered design). The editor's "add to cart" step,
   registered as the page's cart adapter, posts the saved design to the page's action instead; the
   design's edit token proves this browser made it (the editor passes it, or it is in the page's
   draft, under the key `draftKey` gives). Then the editor is swapped for the page's "done" notice
   (`data-<name>-open` / `data-<name>-done`), and the editor opens once the page has loaded. */
export function signedPage({ name, adapter, draftKey, onError, onDone }) {
  var root = document.querySelector('[data-luneo-root]');
  var node = root && root.querySelector('script[data-luneo-config]');
  var config = JSON.parse((node && node.textContent) || '{}');
  var showError = onError || function () {};

  function draftToken() {
    try {
      var draft = JSON.parse(window.localStorage.getItem(draftKey(config)) || 'null');
      return (draft && draft.edit_token) || null;
    } catch (err) {
      return null;
    }
  }

  async function post(args) {
    showError('');
    var response = await fetch(config.attachUrl, {
      method: 'POST',
      credentials: 'omit',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ design_id: args.designId, edit_token: args.editToken || draftToken() }),
    });
    var payload = null;
    try {
      payload = await response.json();
    } catch (err) {
      payload = null;
    }
    if (!response.ok) {
      var message = (payload && payload.error && payload.error.message) || 'HTTP ' + response.status;
      showError(message);
      throw new Error(message);
    }
    return { payload: payload };
  }

  window.LuneoAdapters = window.LuneoAdapters || {};
  window.LuneoAdapters[adapter] = post;

  document.addEventListener('luneo:added', function (event) {
    if (onDone) onDone((event.detail && event.detail.response) || {});
    var open = document.querySelector('[data-' + name + '-open]');
    var done = document.querySelector('[data-' + name + '-done]');
    if (open) open.hidden = true;
    if (done) {
      done.hidden = false;
      done.setAttribute('tabindex', '-1');
      done.focus();
    }
  });

  window.addEventListener('load', function () {
    if (window.Luneo && root) window.Luneo.open(root);
  });
}
