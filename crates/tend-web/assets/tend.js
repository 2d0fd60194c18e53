// Tend: the "Exit this page" pattern (after GOV.UK's design system), and the
// browser's time zone for the server.
// Loaded with `defer`, so the DOM is ready when this runs.
// No inline handlers: this works under CSP `script-src 'self'`.
// Every lookup is checked, so a page without the link does not throw.
(function () {
  "use strict";

  var SHIFT_PRESSES = 3;
  var SHIFT_WINDOW_MS = 5000;
  var root = document.documentElement;

  // The browser's time zone (an IANA name such as "Europe/Berlin") in a cookie
  // of Tend's own, so the server can say times as the member's clocks show
  // them. It ends with the browser, like Tend's other cookies, and is Lax like
  // the sign-in, so a page opened from a link elsewhere still shows local
  // times. The server checks it against the time zone database (else UTC).
  var tzCookie = root.getAttribute("data-tz-cookie");
  var tzSaid = false;

  function readCookie(name) {
    var value = ("; " + document.cookie).split("; " + name + "=")[1];
    return value ? value.split(";")[0] : "";
  }

  if (tzCookie) {
    var zone = "";
    try {
      zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (e) {
      zone = "";
    }
    if (/^[A-Za-z0-9_+\/-]{1,64}$/.test(zone)) {
      if (readCookie(tzCookie) !== zone) {
        document.cookie = tzCookie + "=" + zone + "; Path=/; SameSite=Lax" +
          (window.location.protocol === "https:" ? "; Secure" : "");
      }
      tzSaid = readCookie(tzCookie) === zone;
    }
  }

  // Ends the sign-in on the server without waiting for an answer: a beacon is
  // sent even while the page is going away. The link's own address does the
  // same without JavaScript.
  function endSignIn(url) {
    try {
      if (navigator.sendBeacon && navigator.sendBeacon(url)) return;
    } catch (e) {
      // Fall through to fetch.
    }
    try {
      window.fetch(url, { method: "POST", keepalive: true, credentials: "same-origin" });
    } catch (e) {
      // Nothing more to try: the page still leaves at once.
    }
  }

  // Hide the page at once, end the sign-in, and leave without adding a
  // history entry, so the Back button does not bring someone back to Tend.
  function exitWith(link) {
    if (!link) return;
    root.classList.add("quick-exiting");
    endSignIn(link.getAttribute("href"));
    window.location.replace(link.getAttribute("data-exit-url") || link.href);
  }

  var links = document.querySelectorAll("[data-quick-exit]");
  for (var i = 0; i < links.length; i++) {
    links[i].addEventListener("click", function (event) {
      event.preventDefault();
      exitWith(this);
    });
  }

  // A browser may show a page again from its back/forward cache, without
  // asking the server. If we were leaving, keep the page hidden and leave
  // again. A member's page whose cookies have gone since (Quick exit removes
  // them all, the time zone cookie set above included) shows the sign-in page
  // instead. (Any other ending of the sign-in is told by the badge stream,
  // which notifications.js opens again.)
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    if (root.classList.contains("quick-exiting")) {
      exitWith(document.querySelector("[data-quick-exit]"));
    } else if (root.hasAttribute("data-signed-in") && tzSaid && readCookie(tzCookie) === "") {
      root.classList.add("quick-exiting");
      window.location.replace("/signin");
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
      exitWith(first);
    } else if (count === 1) {
      announce(first.getAttribute("data-shift-two-more"));
    } else {
      announce(first.getAttribute("data-shift-one-more"));
    }
  });
})();
