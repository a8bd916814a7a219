// Public winners page: a clip is loaded from TikTok only when its button is pressed.
(function () {
  'use strict';
  document.addEventListener('click', function (e) {
    var b = e.target;
    if (!(b instanceof HTMLElement) || !b.classList.contains('play-clip')) return;
    var slot = b.closest('.clip-slot');
    var id = slot && slot.getAttribute('data-video-id');
    if (!id || !/^[0-9]{1,20}$/.test(id)) return;
    var f = document.createElement('iframe');
    f.src = 'https://www.tiktok.com/player/v1/' + id;
    f.className = 'clip';
    f.setAttribute('allow', 'fullscreen');
    f.setAttribute('title', 'TikTok ' + id);
    slot.replaceChildren(f);
  });
})();
