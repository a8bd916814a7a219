// Screening: applying a decision to every filtered entry asks first.
(function () {
  'use strict';
  var form = document.getElementById('screening-form');
  if (!form) return;
  form.addEventListener('click', function (e) {
    var b = e.target;
    if (b instanceof HTMLButtonElement && b.hasAttribute('data-confirm-text') && !window.confirm(b.getAttribute('data-confirm-text'))) e.preventDefault();
  });
})();
