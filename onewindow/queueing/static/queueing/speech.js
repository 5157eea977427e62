// The wall display speaks each call in Chinese. speechSynthesis.speak() queues utterances, so a
// new call never cuts off one being spoken; we never call cancel(). `window.onewindowSpeech.queued`
// records what was queued (tests read it; the hall's staff can too, in the console).
(function () {
  const record = (window.onewindowSpeech = window.onewindowSpeech || { queued: [] });
  function announce(text) {
    record.queued.push(text);
    if (!("speechSynthesis" in window)) return;
    const utterance = new SpeechSynthesisUtterance(text);
    utterance.lang = "zh-CN";
    utterance.rate = 0.9;
    window.speechSynthesis.speak(utterance);
  }
  document.body.addEventListener("htmx:afterSwap", function (event) {
    const board = document.getElementById("board");
    if (!board || !board.dataset.announce) return;
    board.dataset.announce.split("|").filter(Boolean).forEach(announce);
  });
})();
