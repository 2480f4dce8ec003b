/* The order page's production tools: "Retry production" (POST the retry, then show the job queued
   again) and "View in 3D" (the storefront's own vendored viewer, loaded only when asked for). */
(function () {
  'use strict';

  async function retry(button) {
    if (button.disabled) return;
    button.disabled = true;
    button.classList.add('is-busy');
    var result = await window.Luneo.api('POST', button.getAttribute('data-retry-production'));
    if (result.ok) {
      window.location.reload();
      return;
    }
    button.disabled = false;
    button.classList.remove('is-busy');
    var box = button.closest('[data-production]').querySelector('[data-retry-error]');
    if (box) {
      box.textContent = result.error.message;
      box.hidden = false;
    }
  }

  var viewerLoading = null;

  function loadViewer(src) {
    if (window.customElements.get('model-viewer')) return Promise.resolve();
    if (!viewerLoading) {
      viewerLoading = new Promise(function (resolve, reject) {
        var script = document.createElement('script');
        script.src = src;
        script.onload = function () { window.customElements.whenDefined('model-viewer').then(resolve); };
        script.onerror = function () { viewerLoading = null; reject(new Error('viewer')); };
        document.head.appendChild(script);
      });
    }
    return viewerLoading;
  }

  async function showModel(button) {
    var box = button.closest('[data-model-3d]');
    var error = box.querySelector('[data-model-error]');
    button.disabled = true;
    try {
      await loadViewer(button.getAttribute('data-viewer'));
    } catch (e) {
      button.disabled = false;
      error.textContent = 'The 3D viewer could not be loaded. Check your connection and try again.';
      error.hidden = false;
      return;
    }
    var viewer = document.createElement('model-viewer');
    viewer.setAttribute('src', button.getAttribute('data-glb'));
    if (button.getAttribute('data-usdz')) viewer.setAttribute('ios-src', button.getAttribute('data-usdz'));
    viewer.setAttribute('alt', button.getAttribute('data-alt'));
    viewer.setAttribute('camera-controls', '');
    // Open facing the print (a mug's wrap is opposite its handle), not the model's front.
    if (button.getAttribute('data-orbit')) viewer.setAttribute('camera-orbit', button.getAttribute('data-orbit'));
    viewer.setAttribute('ar', '');
    viewer.setAttribute('ar-modes', 'quick-look scene-viewer');
    viewer.setAttribute('shadow-intensity', '0.6');
    viewer.setAttribute('tabindex', '0');
    viewer.style.cssText = 'display:block;width:100%;max-width:420px;height:320px;' +
      'background:var(--surface-muted, #f6f6f7);border:1px solid var(--border);border-radius:var(--radius-sm)';
    viewer.addEventListener('error', function () {
      error.textContent = 'This 3D model could not be shown; download the GLB below instead.';
      error.hidden = false;
    });
    button.replaceWith(viewer);
    viewer.focus();
  }

  document.addEventListener('click', function (event) {
    var model = event.target.closest('[data-show-model]');
    if (model) {
      event.preventDefault();
      showModel(model);
      return;
    }
    var button = event.target.closest('[data-retry-production]');
    if (!button) return;
    event.preventDefault();
    retry(button);
  });
})();
