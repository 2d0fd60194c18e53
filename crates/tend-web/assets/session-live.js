// Tend: a session page follows its session live (server-sent events). A partner's signal
// shows at once in their row (and the phone vibrates where it can), and the page tells the
// server it has shown it, so the sender sees "seen". A new state, a new tick, someone
// stepping out or finishing their aftercare reloads the page, which always shows the whole
// truth. Without JavaScript, a reload does the same.
(function () {
  "use strict";

  var root = document.getElementById("session-state");
  if (!root || typeof EventSource === "undefined") return;
  var state = root.getAttribute("data-state");
  if (state === "closed") return;
  var key = root.getAttribute("data-key") || "";
  var latest = document.getElementById("latest-signal");
  var rows = document.getElementById("signal-rows");
  var me = root.getAttribute("data-me");
  var csrfField = document.querySelector('input[name="csrf"]');
  var seenBy = {};

  function attr(name, fallback) {
    return root.getAttribute("data-" + name) || fallback;
  }

  function clock(seconds) {
    var at = new Date(seconds * 1000);
    var pad = function (n) {
      return (n < 10 ? "0" : "") + n;
    };
    return pad(at.getHours()) + ":" + pad(at.getMinutes());
  }

  function list(names) {
    if (window.Intl && Intl.ListFormat) {
      return new Intl.ListFormat(document.documentElement.lang || "en", {
        type: "conjunction",
      }).format(names);
    }
    return names.join(", ");
  }

  // Tells the server this page has shown a partner's signal.
  function seen(seq) {
    if (!csrfField || !window.fetch) return;
    fetch(attr("seen-url", "") + seq + "/seen", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "csrf=" + encodeURIComponent(csrfField.value),
    }).catch(function () {});
  }

  // Puts a signal in its sender's row, as the server renders it.
  function show(message, seq) {
    if (!rows) return;
    rows.hidden = false;
    var mine = message.from === me;
    var words = attr("signal-" + message.signal, message.signal);
    if (message.practice) words = attr("practice", "{words}").replace("{words}", words);
    var row = rows.querySelector('[data-from="' + message.from + '"]');
    if (!row) {
      row = document.createElement("li");
      row.setAttribute("data-from", message.from);
      rows.appendChild(row);
    }
    row.className = "signal-row signal-row-" + message.signal;
    row.setAttribute("data-seq", seq);
    row.textContent = "";
    var icon = document.createElement("span");
    icon.className = "signal-icon signal-icon-" + message.signal;
    icon.setAttribute("aria-hidden", "true");
    var who = document.createElement("strong");
    who.textContent = mine ? attr("you", "") : message.name || "";
    var time = document.createElement("time");
    time.textContent = clock(message.at);
    row.appendChild(icon);
    row.appendChild(document.createTextNode(" "));
    row.appendChild(who);
    row.appendChild(document.createTextNode(": " + words + " · "));
    row.appendChild(time);
    if (mine) {
      var status = document.createElement("span");
      status.className = "signal-status";
      status.textContent = attr("sent", "");
      row.appendChild(document.createTextNode(" · "));
      row.appendChild(status);
      seenBy[seq] = [];
    }
  }

  function say(message, seq) {
    if (!message.from) {
      // Tend's own check-in prompt: answered with the same buttons.
      if (latest) latest.textContent = attr("prompt", "");
    } else {
      if (latest) latest.textContent = "";
      show(message, seq);
    }
    if (message.from !== me) {
      if (navigator.vibrate) navigator.vibrate(message.signal === "red" ? [200, 100, 200] : 150);
      if (message.from) seen(seq);
    }
  }

  // A form on its way (a tick, "my aftercare is done") brings the next page itself; a
  // reload now would cancel it.
  var leaving = false;
  document.addEventListener("submit", function () {
    leaving = true;
  });

  var source = new EventSource(attr("stream", ""));
  source.addEventListener("signal", function (event) {
    var message = JSON.parse(event.data);
    // Practice is over once the session has begun.
    if (message.practice && state !== "plan") return;
    say(message, event.lastEventId);
  });
  source.addEventListener("seen", function (event) {
    var message = JSON.parse(event.data);
    var row = rows && rows.querySelector('[data-from="' + me + '"]');
    if (!row || row.getAttribute("data-seq") !== String(message.seq)) return;
    var names = seenBy[message.seq] || (seenBy[message.seq] = []);
    if (message.name && names.indexOf(message.name) < 0) names.push(message.name);
    var status = row.querySelector(".signal-status");
    if (status && names.length) {
      status.textContent = attr("seen", "{names}").replace("{names}", list(names));
    }
  });
  source.addEventListener("session", function (event) {
    var message = JSON.parse(event.data);
    var now = [
      message.state,
      (message["steps-done"] || []).join(","),
      (message["stepped-out"] || []).join(","),
      (message.done || []).join(","),
    ].join("|");
    if (!leaving && now !== key) {
      source.close();
      window.location.reload();
    }
  });
  window.addEventListener("pagehide", function () {
    source.close();
  });

  // While the session is live or in aftercare, an open page counts as in use, so the
  // sign-in does not lapse for being idle and a stop can always be sent.
  if (state === "live" || state === "aftercare") {
    window.setInterval(function () {
      if (window.fetch) fetch(window.location.pathname, { credentials: "same-origin" }).catch(function () {});
    }, 10 * 60 * 1000);
  }
})();
