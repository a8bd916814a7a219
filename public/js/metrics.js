// Metrics screens: the print button, and the import progress page reloading itself until done.
(function () {
  'use strict';
  document.querySelectorAll('[data-print]').forEach(function (b) {
    b.addEventListener('click', function () { window.print(); });
  });
  var job = document.querySelector('[data-refresh]');
  if (job) {
    var ms = Number(job.getAttribute('data-refresh')) || 1000;
    setTimeout(function () { window.location.reload(); }, ms);
  }
})();
