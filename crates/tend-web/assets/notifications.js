// Tend: keeps the notification badge in the header current without a reload.
// The server sends {"unseen": n} over server-sent events when the count changes;
// without JavaScript (or EventSource) the badge is simply as fresh as the page.
// When this page's sign-in ends (sign out or Quick exit in another tab, Lock now,
// or it ran out), the server says "signed-out" and the page goes to the sign-in
// page, replacing itself so Back does not show it again.
(function () {
  "use strict";

  var badge = document.querySelector("[data-unseen-badge]");
  if (!badge || !window.EventSource) return;
  var count = badge.querySelector("[data-unseen-count]");
  var source = null;

  function follow() {
    source = new EventSource("/notifications/stream");
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
    source.addEventListener("signed-out", function () {
      source.close();
      var root = document.documentElement;
      // Quick exit from this page ended the sign-in: it is already on its way out,
      // and must not be turned back to Tend's sign-in page.
      if (root.classList.contains("quick-exiting")) return;
      root.classList.add("quick-exiting");
      window.location.replace("/signin");
    });
  }

  follow();
  // Leaving the page (or Quick exit) closes the stream at once.
  window.addEventListener("pagehide", function () {
    source.close();
  });
  // Shown again from the back/forward cache: follow again, which also says
  // at once whether the sign-in has ended meanwhile.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) follow();
  });
})();
