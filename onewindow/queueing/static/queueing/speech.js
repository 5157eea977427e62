// Speech for the hall (issue 23 for the kiosk). `window.onewindowSpeech.queued` records what was
// queued (tests read it; the hall's staff can too, in the console).
//
// The wall display speaks each call in Chinese. speechSynthesis.speak() queues utterances, so a
// new call never cuts off one being spoken; the display never calls cancel().
//
// The kiosk reads itself aloud on request: its 朗读 button ([data-read-aloud]) reads every
// [data-speak] element of the page in order (its data-speak words), and from then on each
// [data-speak] control as it gets the focus. Pressing 朗读 again starts over.
(function () {
  const record = (window.onewindowSpeech = window.onewindowSpeech || { queued: [] });
  let reading = false;
  function announce(text) {
    record.queued.push(text);
    if (!("speechSynthesis" in window)) return;
    const utterance = new SpeechSynthesisUtterance(text);
    utterance.lang = "zh-CN";
    utterance.rate = 0.9;
    window.speechSynthesis.speak(utterance);
  }
  document.body.addEventListener("htmx:afterSwap", function () {
    const board = document.getElementById("board");
    if (!board || !board.dataset.announce) return;
    board.dataset.announce.split("|").filter(Boolean).forEach(announce);
  });
  document.addEventListener("click", function (event) {
    const button = event.target.closest && event.target.closest("[data-read-aloud]");
    if (!button) return;
    if (reading && "speechSynthesis" in window) window.speechSynthesis.cancel();
    reading = true;
    document.querySelectorAll("[data-speak]").forEach(function (element) {
      announce(element.dataset.speak);
    });
  });
  document.addEventListener("focusin", function (event) {
    const element = event.target.closest && event.target.closest("[data-speak]");
    if (reading && element && element.matches("button, input, a, select, textarea")) announce(element.dataset.speak);
  });
})();
