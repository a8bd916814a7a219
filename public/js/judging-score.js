// The scoring screen: keyboard first, live weighted total, autosave of drafts with a version
// check (a stale tab is told, never overwrites). Everything works without this file too.
(function () {
  'use strict';
  var root = document.getElementById('scoring');
  var form = document.getElementById('jd-form');
  if (!root || !form) return;
  var writable = root.getAttribute('data-writable') === '1';
  var inputs = Array.prototype.slice.call(form.querySelectorAll('.jd-input'));
  var versionInput = document.getElementById('jd-version');
  var totalOut = document.getElementById('jd-total');
  var statusEl = document.getElementById('jd-status');
  var comment = document.getElementById('jd-comment');
  var url = root.getAttribute('data-autosave');
  var csrf = root.getAttribute('data-csrf');
  var timer = null;
  var inflight = null;
  var dirty = false;
  var stale = false;
  var submitting = false;

  function total() {
    var sum = 0, weights = 0;
    for (var i = 0; i < inputs.length; i++) {
      var el = inputs[i];
      if (el.value === '') return null;
      var v = Number(el.value), min = Number(el.dataset.min), max = Number(el.dataset.max), w = Number(el.dataset.weight);
      if (!isFinite(v) || v < min || v > max) return null;
      sum += w * (v - min) / (max - min);
      weights += w;
    }
    return weights ? Math.round(sum / weights * 10000) / 100 : null;
  }
  function showTotal() { if (totalOut) { var t = total(); totalOut.textContent = t === null ? '—' : String(t); } }
  function setStatus(text, bad) { if (statusEl) { statusEl.textContent = text; statusEl.classList.toggle('error', !!bad); } }

  function body(action) {
    var scores = {};
    inputs.forEach(function (el) { if (el.value !== '') scores[el.dataset.criterion] = el.value; });
    var verdict = form.querySelector('input[name="verdict"]:checked');
    return { scores: scores, comment: comment ? comment.value : '', version: Number(versionInput.value), action: action, verdict: verdict ? verdict.value : null };
  }

  function save(keepalive) {
    if (!writable || stale || !dirty) return Promise.resolve();
    dirty = false;
    var p = fetch(url, {
      method: 'POST', credentials: 'same-origin', keepalive: !!keepalive,
      headers: { 'content-type': 'application/json', 'accept': 'application/json', 'x-csrf-token': csrf },
      body: JSON.stringify(body('autosave')),
    }).then(function (res) {
      if (res.status === 409) { stale = true; setStatus(root.dataset.msgStale || 'stale', true); return; }
      if (!res.ok) { dirty = true; setStatus(root.dataset.msgFailed || '…', true); return; }
      return res.json().then(function (r) {
        versionInput.value = String(r.version);
        setStatus((root.dataset.msgSaved || 'saved') + ' · v' + r.version + ' · ' + new Date().toLocaleTimeString());
      });
    }).catch(function () { dirty = true; });
    inflight = p.then(function () { inflight = null; });
    return inflight;
  }
  function schedule() { dirty = true; clearTimeout(timer); timer = setTimeout(function () { save(false); }, 700); }

  inputs.forEach(function (el, i) {
    el.addEventListener('input', function () { showTotal(); schedule(); });
    el.addEventListener('keydown', function (e) {
      if (e.key !== 'Enter') return;
      e.preventDefault();
      if (i < inputs.length - 1) { inputs[i + 1].focus(); inputs[i + 1].select(); return; }
      document.getElementById('jd-submit').click();
    });
  });
  if (comment) {
    comment.addEventListener('input', schedule);
    comment.addEventListener('keydown', function (e) {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); document.getElementById('jd-submit').click(); }
    });
  }
  Array.prototype.forEach.call(form.querySelectorAll('input[name="verdict"]'), function (r) { r.addEventListener('change', schedule); });

  // Before the form posts, the pending autosave lands first so the version in the form is current.
  form.addEventListener('submit', function (e) {
    if (submitting) return;
    var submitter = e.submitter;
    e.preventDefault();
    clearTimeout(timer);
    dirty = false;
    Promise.resolve(inflight).then(function () {
      submitting = true;
      // app.js marked the intercepted submit as sent; this is the same submit, resumed.
      delete form.dataset.submitted;
      if (form.requestSubmit && submitter) form.requestSubmit(submitter); else form.submit();
    });
  });
  // Closing the tab mid-scoresheet loses nothing: the last changes go out with keepalive.
  window.addEventListener('pagehide', function () { if (!submitting) save(true); });
  document.addEventListener('visibilitychange', function () { if (document.visibilityState === 'hidden' && !submitting) save(true); });

  function loadPlayer() {
    var btn = document.getElementById('jd-play');
    if (!btn) return;
    var f = document.createElement('iframe');
    f.src = btn.getAttribute('data-src');
    f.title = btn.textContent.trim();
    f.setAttribute('allow', 'encrypted-media; fullscreen');
    f.setAttribute('allowfullscreen', '');
    f.className = 'jd-iframe';
    btn.replaceWith(f);
  }
  var play = document.getElementById('jd-play');
  if (play) play.addEventListener('click', loadPlayer);

  document.addEventListener('keydown', function (e) {
    var t = e.target;
    if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable)) return;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === 'v' || e.key === 'V') { loadPlayer(); e.preventDefault(); return; }
    if (e.key === '[') { var p = document.getElementById('jd-prev'); if (p) { save(false); window.location.href = p.href; } return; }
    if (e.key === ']') { var n = document.getElementById('jd-next'); if (n) { save(false); window.location.href = n.href; } return; }
    // A digit jumps to that criterion.
    if (/^[1-9]$/.test(e.key) && inputs[Number(e.key) - 1]) { e.preventDefault(); inputs[Number(e.key) - 1].focus(); inputs[Number(e.key) - 1].select(); }
  });

  showTotal();
  if (writable && inputs.length) {
    var firstEmpty = inputs.filter(function (el) { return el.value === ''; })[0] || inputs[0];
    firstEmpty.focus();
  }
})();
