/* Plan & billing: the interval switch, choosing a plan, and Stripe's customer portal.
 *
 * Shopify's confirmation page and Stripe Checkout cannot be shown inside the admin's iframe, so
 * their URLs open top-level (`open(url, "_top")`, which App Bridge handles inside Shopify).
 */
(function () {
  'use strict';

  function interval() {
    var checked = document.querySelector('input[name="interval"]:checked');
    return checked ? checked.value : 'month';
  }

  function showPrices() {
    var chosen = interval();
    document.querySelectorAll('[data-price]').forEach(function (price) {
      price.hidden = price.getAttribute('data-price') !== chosen;
    });
  }

  function showError(message) {
    var box = document.querySelector('[data-billing-error]');
    if (box) {
      box.textContent = message;
      box.hidden = !message;
    }
  }

  async function go(button, url, body) {
    button.disabled = true;
    button.classList.add('is-busy');
    showError('');
    var answer = await window.Luneo.api('POST', url, body);
    if (answer.ok && answer.data.redirect_url) {
      window.open(answer.data.redirect_url, '_top');
      return;
    }
    button.disabled = false;
    button.classList.remove('is-busy');
    if (answer.ok) {
      window.location.reload();
    } else {
      showError(answer.error.message);
    }
  }

  document.addEventListener('DOMContentLoaded', function () {
    document.querySelectorAll('input[name="interval"]').forEach(function (radio) {
      radio.addEventListener('change', showPrices);
    });
    document.querySelectorAll('[data-choose]').forEach(function (button) {
      button.addEventListener('click', function () {
        go(button, '/api/admin/billing/subscribe', {
          plan: button.getAttribute('data-choose'),
          interval: interval(),
        });
      });
    });
    document.querySelectorAll('[data-portal]').forEach(function (button) {
      button.addEventListener('click', function () {
        go(button, '/api/admin/billing/portal', {});
      });
    });
    showPrices();
  });
})();
