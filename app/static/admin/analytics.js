/* Luneo analytics page: the CSV download, fetched with the admin's credentials (a session token
 * inside the Shopify admin, the cookie elsewhere) and saved under the name the server gives. */
(function () {
  'use strict';
  var button = document.querySelector('[data-analytics-csv]');
  if (!button) return;
  var message = document.querySelector('[data-analytics-csv-message]');

  function filenameOf(response) {
    var match = /filename="?([^";]+)"?/i.exec(response.headers.get('Content-Disposition') || '');
    return match ? match[1] : 'luneo-analytics.csv';
  }

  button.addEventListener('click', async function () {
    message.textContent = 'Preparing the file…';
    var response;
    try {
      response = await fetch(button.getAttribute('data-url'), { headers: Object.assign({ Accept: 'text/csv' }, await window.Luneo.authHeaders()), credentials: 'same-origin' });
    } catch (error) {
      message.textContent = 'Luneo could not be reached. Check your connection and try again.';
      return;
    }
    if (!response.ok) {
      message.textContent = (await window.Luneo.errorOf(response)).message;
      return;
    }
    var link = document.createElement('a');
    link.href = URL.createObjectURL(await response.blob());
    link.download = filenameOf(response);
    link.hidden = true;
    document.body.appendChild(link);
    link.click();
    window.setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
    message.textContent = 'Downloaded ' + link.download + '.';
  });
})();
