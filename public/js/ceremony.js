// Ceremony mode: one slide at a time, each winner of a prize revealed on a key press
// (arrows, space, Page Up/Down as presentation clickers send, Enter). No outside assets.
(function () {
  'use strict';
  var slides = Array.prototype.slice.call(document.querySelectorAll('#deck .slide'));
  var steps = [];
  slides.forEach(function (slide, s) {
    steps.push({ slide: s, shown: 0 });
    var n = slide.querySelectorAll('.reveal').length;
    for (var i = 1; i <= n; i++) steps.push({ slide: s, shown: i });
  });
  var at = 0;
  var counter = document.getElementById('counter');
  var presenter = document.body.classList.contains('presenter');
  // The audience window and the presenter window follow each other (same browser, same origin).
  var channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(document.body.getAttribute('data-channel') || 'ceremony') : null;

  function describe(i) {
    var step = steps[i];
    if (!step) return '—';
    var slide = slides[step.slide];
    if (step.shown === 0) {
      var h = slide.querySelector('h1, h2');
      return h ? h.textContent.trim() : '';
    }
    var li = slide.querySelectorAll('.reveal')[step.shown - 1];
    if (!li) return '';
    return Array.prototype.map.call(li.querySelectorAll('.code, .name, .work'), function (x) { return x.textContent.trim(); }).filter(Boolean).join(' — ');
  }

  function updatePresenter() {
    if (!presenter) return;
    var next = document.getElementById('next-preview');
    if (next) next.textContent = describe(at + 1);
    var notes = document.getElementById('notes');
    if (!notes) return;
    notes.replaceChildren();
    var text = slides[steps[at].slide].getAttribute('data-notes') || '';
    text.split(' | ').filter(Boolean).forEach(function (line) {
      var li = document.createElement('li');
      li.textContent = line;
      notes.appendChild(li);
    });
  }

  function show(i, fromChannel) {
    at = Math.max(0, Math.min(steps.length - 1, i));
    if (channel && !fromChannel) channel.postMessage({ step: at });
    var step = steps[at];
    slides.forEach(function (slide, s) {
      slide.classList.toggle('current', s === step.slide);
      slide.hidden = s !== step.slide;
      Array.prototype.forEach.call(slide.querySelectorAll('.reveal'), function (li, k) {
        li.classList.toggle('shown', s === step.slide && k < step.shown);
      });
    });
    document.body.setAttribute('data-step', String(at));
    document.body.setAttribute('data-steps', String(steps.length));
    if (counter) counter.textContent = (at + 1) + ' / ' + steps.length;
    updatePresenter();
  }
  if (channel) channel.onmessage = function (e) { if (e.data && typeof e.data.step === 'number') show(e.data.step, true); };

  document.addEventListener('keydown', function (e) {
    if (e.target && e.target.tagName === 'BUTTON' && (e.key === ' ' || e.key === 'Enter')) return;
    switch (e.key) {
      case 'ArrowRight': case 'ArrowDown': case 'PageDown': case ' ': case 'Enter': show(at + 1); break;
      case 'ArrowLeft': case 'ArrowUp': case 'PageUp': case 'Backspace': show(at - 1); break;
      case 'Home': show(0); break;
      case 'End': show(steps.length - 1); break;
      case 'f': case 'F':
        if (!document.fullscreenElement && document.documentElement.requestFullscreen) document.documentElement.requestFullscreen().catch(function () {});
        else if (document.exitFullscreen) document.exitFullscreen().catch(function () {});
        break;
      default: return;
    }
    e.preventDefault();
  });
  document.getElementById('next').addEventListener('click', function () { show(at + 1); });
  document.getElementById('prev').addEventListener('click', function () { show(at - 1); });

  // The clip needs the network: loaded only when asked for.
  document.addEventListener('click', function (e) {
    var b = e.target;
    if (!(b instanceof HTMLElement) || !b.classList.contains('play-clip')) return;
    var id = b.getAttribute('data-video-id');
    if (!id || !/^[0-9]{1,20}$/.test(id)) return;
    var f = document.createElement('iframe');
    f.src = 'https://www.tiktok.com/player/v1/' + id;
    f.className = 'clip';
    f.setAttribute('allow', 'fullscreen; autoplay');
    f.setAttribute('title', b.textContent || 'TikTok');
    b.replaceWith(f);
  });

  show(0, true);
})();
