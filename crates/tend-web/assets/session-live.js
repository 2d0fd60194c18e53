// Tend: a session page follows its session live (server-sent events). A partner's signal
// is said at once (and the phone vibrates where it can); a new state or a new tick reloads
// the page, which always shows the whole truth. Without JavaScript, a reload does the same.
(function () {
  "use strict";

  var root = document.getElementById("session-state");
  if (!root || typeof EventSource === "undefined") return;
  var state = root.getAttribute("data-state");
  if (state === "closed") return;
  var steps = root.getAttribute("data-steps") || "";
  var latest = document.getElementById("latest-signal");
  var me = root.getAttribute("data-me");

  function say(message) {
    if (!latest || !message.signal) return;
    if (!message.from) {
      // Tend's own check-in prompt: answered with the same buttons.
      latest.textContent = root.getAttribute("data-prompt") || "";
    } else {
      var words = root.getAttribute("data-signal-" + message.signal) || message.signal;
      var template = root.getAttribute("data-from") || "{name}: {words}";
      latest.textContent = template.replace("{name}", message.name || "").replace("{words}", words);
    }
    if (navigator.vibrate) navigator.vibrate(message.signal === "red" ? [200, 100, 200] : 150);
  }

  // A form on its way (a tick, "aftercare is done") brings the next page itself; a reload
  // now would cancel it.
  var leaving = false;
  document.addEventListener("submit", function () {
    leaving = true;
  });

  var source = new EventSource(root.getAttribute("data-stream"));
  source.addEventListener("signal", function (event) {
    var message = JSON.parse(event.data);
    // Your own signals are not news to you; partners' are.
    if (message.from !== me) say(message);
  });
  source.addEventListener("session", function (event) {
    var message = JSON.parse(event.data);
    var ticked = (message["steps-done"] || []).join(",");
    if (!leaving && (message.state !== state || ticked !== steps)) {
      source.close();
      window.location.reload();
    }
  });
})();
