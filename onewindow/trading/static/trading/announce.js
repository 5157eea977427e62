// The announce form (trading/new.html): the 交易方式 list offers only the methods of the chosen
// 交易类型 (each option's data-kinds). A file, not an inline script: the hall's
// Content-Security-Policy (decision 45).
(function () {
  var kind = document.getElementById("f-kind"), method = document.getElementById("f-method");
  if (!kind || !method) return;
  function filter() {
    Array.prototype.forEach.call(method.options, function (o) {
      var fits = !o.value || !kind.value || o.dataset.kinds.split(" ").indexOf(kind.value) >= 0;
      o.hidden = !fits; o.disabled = !fits;
      if (!fits && o.selected) { method.value = ""; }
    });
  }
  kind.addEventListener("change", filter); filter();
})();
