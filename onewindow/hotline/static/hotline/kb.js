// 复制到答复 on the knowledge base's hits (hotline/_kb_hits.html): into the page's reply box when it
// has one (#reply, the workbench), else the clipboard. A file, not an inline script: the hall's
// Content-Security-Policy runs scripts from its own static files only (decision 45).
(function () {
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    if (button.dataset.bound) return;
    button.dataset.bound = "1";
    button.addEventListener("click", function () {
      const text = document.getElementById(button.dataset.copy).innerText;
      const reply = document.getElementById("reply");
      if (reply) { reply.value = text; reply.focus(); button.textContent = "已填入答复"; return; }
      if (navigator.clipboard) navigator.clipboard.writeText(text).then(function () { button.textContent = "已复制"; });
    });
  });
})();
