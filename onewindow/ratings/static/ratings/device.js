// The window's rating device returns to its idle screen by itself (after a thank-you, or to pick up
// the next ticket), as a <meta http-equiv="refresh"> did — but any touch or key starts the wait
// again, so nobody still reading or about to rate is cut off (WCAG 2.2.1 timing adjustable;
// axe-core's meta-refresh). A file, not an inline script: the hall's Content-Security-Policy.
(function () {
  "use strict";
  var body = document.body;
  var seconds = Number(body.dataset.returnAfter);
  if (!seconds) return;
  var to = body.dataset.returnTo || window.location.href;
  var timer = null;
  function wait() {
    if (timer) window.clearTimeout(timer);
    timer = window.setTimeout(function () { window.location.assign(to); }, seconds * 1000);
  }
  ["pointerdown", "keydown", "input"].forEach(function (name) {
    document.addEventListener(name, wait, { passive: true });
  });
  wait();
})();
