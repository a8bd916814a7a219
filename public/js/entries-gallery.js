// The TikTok player loads only when asked: nothing from TikTok is fetched before a click.
(function () {
  'use strict';
  document.addEventListener('click', function (e) {
    var btn = e.target instanceof Element ? e.target.closest('[data-play]') : null;
    if (!btn) return;
    var slot = btn.closest('.player-slot');
    var id = slot && slot.getAttribute('data-video-id');
    if (!id || !/^[0-9]{1,20}$/.test(id)) return;
    var frame = document.createElement('iframe');
    frame.src = 'https://www.tiktok.com/player/v1/' + id;
    frame.allow = 'fullscreen';
    frame.title = 'TikTok';
    slot.replaceChildren(frame);
  });
})();
