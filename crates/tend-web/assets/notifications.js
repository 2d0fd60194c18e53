// Tend: keeps the notification badge in the header current without a reload.
// The server sends {"unseen": n} over server-sent events when the count changes;
// without JavaScript (or EventSource) the badge is simply as fresh as the page.
(function () {
  "use strict";

  var badge = document.querySelector("[data-unseen-badge]");
  if (!badge || !window.EventSource) return;
  var count = badge.querySelector("[data-unseen-count]");
  var source = new EventSource("/notifications/stream");
  source.addEventListener("message", function (event) {
    var unseen;
    try {
      unseen = JSON.parse(event.data).unseen;
    } catch (e) {
      return;
    }
    if (typeof unseen !== "number") return;
    if (count) count.textContent = String(unseen);
    badge.hidden = unseen === 0;
  });
  // Leaving the page (or Quick exit) closes the stream at once.
  window.addEventListener("pagehide", function () {
    source.close();
  });
})();
