/* Partners page and order timeline: the JSON writes (add/link partner, rules, routing, push retry). */
(function () {
  'use strict';

  function show(selector, text) {
    var box = document.querySelector(selector);
    if (!box) return;
    box.textContent = text;
    box.hidden = false;
  }

  async function send(method, url, body) {
    var result = await window.Luneo.api(method, url, body);
    if (!result.ok) {
      show('[data-action-error]', result.error.message);
      return null;
    }
    return result.data;
  }

  function formBody(form) {
    var body = {};
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || field.value === '') return;
      body[field.name] = field.hasAttribute('data-int') ? parseInt(field.value, 10) : field.value;
    });
    return body;
  }

  document.addEventListener('submit', async function (event) {
    var form = event.target.closest('[data-partners-form]');
    if (!form) return;
    event.preventDefault();
    var data = await send('POST', form.getAttribute('data-url'), formBody(form));
    if (!data) return;
    if (data.sign_in) {
      var login = data.sign_in.email + ' / ' + data.sign_in.temporary_password;
      show('[data-action-result]', data.invitation && data.invitation.sent
        ? 'Partner added. We e-mailed ' + data.sign_in.email + ' an invitation to choose a ' +
          'password (the link works for 7 days). If you print in-house yourself, you can also ' +
          'sign in to the partner portal now with this temporary password (shown once): ' + login
        : 'Partner added, but the invitation e-mail to ' + data.sign_in.email + ' could not be ' +
          'sent. Hand over this sign-in (shown once): ' + login);
      return;
    }
    window.location.reload();
  });

  document.addEventListener('click', async function (event) {
    var button = event.target.closest('[data-partners-action], [data-retry-push]');
    if (!button) return;
    event.preventDefault();
    button.disabled = true;
    var retry = button.getAttribute('data-retry-push');
    var data = retry
      ? await send('POST', retry, {})
      : await send(button.getAttribute('data-partners-action'), button.getAttribute('data-url'), {});
    if (data) window.location.reload();
    else button.disabled = false;
  });
})();
