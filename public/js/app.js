// Progressive enhancements shared by every page. Everything works without this file.
(function () {
  'use strict';
  // Forms marked data-confirm ask before they act (disable an account, publish, withdraw…).
  document.addEventListener('submit', function (e) {
    var form = e.target;
    if (!(form instanceof HTMLFormElement)) return;
    var question = form.getAttribute('data-confirm');
    if (question && !window.confirm(question)) { e.preventDefault(); return; }
    // A double click must not send the form twice.
    if (form.dataset.submitted === '1' && !form.hasAttribute('data-resubmit')) { e.preventDefault(); return; }
    form.dataset.submitted = '1';
    setTimeout(function () { delete form.dataset.submitted; }, 8000);
  });
})();
