/* Asks before a destructive action, on every Luneo page (admin, embedded admin, accounts, partner
 * portal): a control with data-confirm="question" opens a modal dialog with the question, Cancel
 * and the control's own words in the critical tone; only a confirmation lets the click through
 * (a form's submission with the button's name and value, or the page script's own handler).
 * A <dialog> rather than window.confirm(): browsers may refuse confirm() in a cross-origin frame,
 * which is where the Shopify admin shows Luneo. Escape, Cancel or a click outside cancel.
 */
(function () {
  'use strict';

  var dialog = null;
  var pending = null;

  function build() {
    dialog = document.createElement('dialog');
    dialog.className = 'confirm-dialog';
    dialog.setAttribute('role', 'alertdialog');
    dialog.setAttribute('aria-labelledby', 'confirm-dialog-question');
    dialog.innerHTML = '<form method="dialog">' +
      '<p id="confirm-dialog-question" class="confirm-dialog__question"></p>' +
      '<div class="confirm-dialog__actions">' +
      '<button class="button button--secondary" value="cancel" data-confirm-cancel>Cancel</button>' +
      '<button class="button button--primary button--critical" value="confirm" data-confirm-go></button>' +
      '</div></form>';
    dialog.addEventListener('click', function (event) {
      if (event.target === dialog) dialog.close('cancel');
    });
    dialog.addEventListener('close', function () {
      var control = pending;
      pending = null;
      if (!control) return;
      if (dialog.returnValue !== 'confirm') {
        control.focus();
        return;
      }
      control.setAttribute('data-confirmed', '');
      try {
        control.click();
      } finally {
        control.removeAttribute('data-confirmed');
      }
    });
    document.body.appendChild(dialog);
  }

  function ask(control) {
    if (!dialog) build();
    pending = control;
    dialog.returnValue = '';
    dialog.querySelector('.confirm-dialog__question').textContent = control.getAttribute('data-confirm');
    dialog.querySelector('[data-confirm-go]').textContent = control.textContent.trim();
    dialog.showModal();
    dialog.querySelector('[data-confirm-cancel]').focus();  // the safe choice has the focus
  }

  /* Capture phase: before the page's own click handlers and before the form submits. */
  document.addEventListener('click', function (event) {
    var control = event.target.closest('[data-confirm]');
    if (!control || control.disabled || control.hasAttribute('data-confirmed')) return;
    // a form that is not valid yet is not sent: let the browser say what is missing first
    if (control.form && control.type === 'submit' && !control.form.checkValidity()) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    ask(control);
  }, true);
})();
