// Contest pages: the countdown (the server rendered the time left; this only counts down),
// the hashtag copy button and the print button. Everything works without this file.
(function () {
  'use strict';
  var el = document.querySelector('.countdown[data-deadline]');
  if (el) {
    var deadline = Date.parse(el.getAttribute('data-deadline'));
    // The server's clock decides; the offset corrects a wrong clock on the phone.
    var skew = Date.parse(el.getAttribute('data-now')) - Date.now();
    var out = el.querySelector('.cd-text');
    var pad = function (n) { return n < 10 ? '0' + n : String(n); };
    var tick = function () {
      var left = deadline - (Date.now() + skew);
      if (left <= 0) { out.textContent = el.getAttribute('data-l-done'); return; }
      var s = Math.floor(left / 1000);
      out.textContent = Math.floor(s / 86400) + ' ' + el.getAttribute('data-l-d') + ' ' + pad(Math.floor(s % 86400 / 3600)) + ' ' + el.getAttribute('data-l-h') + ' ' +
        pad(Math.floor(s % 3600 / 60)) + ' ' + el.getAttribute('data-l-m') + ' ' + pad(s % 60) + ' ' + el.getAttribute('data-l-s');
      setTimeout(tick, 1000 - (Date.now() % 1000));
    };
    tick();
  }
  document.addEventListener('click', function (e) {
    var b = e.target.closest && e.target.closest('.copy-button');
    if (b) {
      var text = b.getAttribute('data-copy');
      var done = function () { var old = b.textContent; b.textContent = b.getAttribute('data-copied'); setTimeout(function () { b.textContent = old; }, 2000); };
      if (navigator.clipboard) navigator.clipboard.writeText(text).then(done, function () {});
      return;
    }
    if (e.target.closest && e.target.closest('.print-button')) window.print();
  });
})();
