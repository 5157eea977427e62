// Behaviour every page may use, bound by data attributes — the hall's Content-Security-Policy
// refuses inline scripts and on*="…" attributes (decision 45), so pages say what they want here.
// data-autosubmit on a form control: a change submits its form (the filters of the staff pages).
document.addEventListener("change", function (event) {
  const control = event.target.closest && event.target.closest("[data-autosubmit]");
  if (control && control.form) control.form.submit();
});
// data-back on a link: back to the page before (a javascript: address is an inline script to the
// CSP); without a page before, the link's own address.
document.addEventListener("click", function (event) {
  const link = event.target.closest && event.target.closest("a[data-back]");
  if (link && window.history.length > 1) {
    event.preventDefault();
    window.history.back();
  }
});
// data-left / data-width (percentages) on a bar, e.g. the project page's Gantt stages: set through the
// CSSOM, which the CSP allows, where a style="left: …" attribute is refused (style-src-attr, decision 45).
function placeBars(root) {
  const bars = Array.from(root.querySelectorAll("[data-width]"));
  if (root.matches && root.matches("[data-width]")) bars.push(root);
  bars.forEach(function (bar) {
    const left = parseFloat(bar.dataset.left || "0");
    const width = parseFloat(bar.dataset.width);
    if (Number.isFinite(left)) bar.style.left = left + "%";
    if (Number.isFinite(width)) bar.style.width = width + "%";
  });
}
placeBars(document);
document.addEventListener("htmx:load", function (event) {
  placeBars(event.target);
});
