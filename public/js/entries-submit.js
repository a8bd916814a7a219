// The submission form: when a video file is chosen, send with XHR to show upload progress.
// Without this file (or without a file chosen) the form posts normally.
(function () {
  'use strict';
  var form = document.querySelector('form[data-upload-form]');
  if (!form || !window.FormData || !window.XMLHttpRequest) return;
  var input = form.querySelector('input[type="file"][name="video"]');
  var bar = form.querySelector('.upload-progress');
  var status = form.querySelector('.upload-status');
  form.addEventListener('submit', function (e) {
    if (e.defaultPrevented || !input || !input.files || input.files.length === 0) return;
    e.preventDefault();
    var xhr = new XMLHttpRequest();
    xhr.open('POST', form.action);
    if (bar) { bar.hidden = false; bar.value = 0; }
    if (status) status.hidden = false;
    xhr.upload.addEventListener('progress', function (ev) {
      if (ev.lengthComputable && bar) bar.value = Math.round((ev.loaded / ev.total) * 100);
    });
    xhr.addEventListener('load', function () {
      if (xhr.responseURL && xhr.responseURL !== form.action && xhr.status < 300) { window.location.assign(xhr.responseURL); return; }
      document.open(); document.write(xhr.responseText); document.close();
    });
    xhr.addEventListener('error', function () {
      if (status) status.textContent = '⚠';
      delete form.dataset.submitted;
    });
    xhr.send(new FormData(form));
  });
})();
