// Tend: the "Exit this page" pattern (after GOV.UK's design system).
// Loaded with `defer`, so the DOM is ready when this runs.
// No inline handlers: this works under CSP `script-src 'self'`.
// Every lookup is checked, so a page without the link does not throw.
(function () {
  "use strict";

  var SHIFT_PRESSES = 3;
  var SHIFT_WINDOW_MS = 5000;
  var root = document.documentElement;

  // Hide the page at once, then leave without adding a history entry,
  // so the Back button does not bring someone back to Tend.
  function exitTo(url) {
    if (!url) return;
    root.classList.add("quick-exiting");
    window.location.replace(url);
  }

  var links = document.querySelectorAll("[data-quick-exit]");
  for (var i = 0; i < links.length; i++) {
    links[i].addEventListener("click", function (event) {
      event.preventDefault();
      exitTo(this.href);
    });
  }

  // A browser may show this page again from its back/forward cache.
  // If we were leaving, keep the page hidden and leave again.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted && root.classList.contains("quick-exiting")) {
      var first = document.querySelector("[data-quick-exit]");
      if (first) window.location.replace(first.href);
    }
  });

  var first = links[0];
  if (!first) return;

  // Pressing Shift three times in a row leaves too.
  // Screen reader users hear how many presses are left.
  var status = document.getElementById("quick-exit-status");
  var count = 0;
  var timer = null;
  var otherKey = false;

  function announce(text) {
    if (status) status.textContent = text || "";
  }

  function reset() {
    count = 0;
    if (timer) window.clearTimeout(timer);
    timer = null;
    announce("");
  }

  // Any other key breaks the sequence, including Shift+letter.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Shift") {
      otherKey = false;
      return;
    }
    otherKey = true;
    if (count > 0) reset();
  });

  document.addEventListener("keyup", function (event) {
    if (event.key !== "Shift") return;
    // Shift used to type a capital letter is not a "press".
    if (otherKey || event.ctrlKey || event.altKey || event.metaKey) {
      otherKey = false;
      return;
    }
    count += 1;
    // The first press starts the clock; after it runs out we start again.
    if (count === 1) timer = window.setTimeout(reset, SHIFT_WINDOW_MS);
    if (count >= SHIFT_PRESSES) {
      reset();
      exitTo(first.href);
    } else if (count === 1) {
      announce(first.getAttribute("data-shift-two-more"));
    } else {
      announce(first.getAttribute("data-shift-one-more"));
    }
  });
})();
