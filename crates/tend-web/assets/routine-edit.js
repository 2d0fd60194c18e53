// Tend: steps of a routine move by drag and drop where JavaScript runs (SortableJS).
// The up and down buttons stay for keyboards and for pages without JavaScript; the form
// sends steps in page order, so after a drop every step's field names are renumbered.
(function () {
  "use strict";

  var list = document.querySelector("[data-sortable-steps]");
  if (!list || typeof Sortable === "undefined") return;

  var handles = list.querySelectorAll("[data-drag-handle]");
  for (var i = 0; i < handles.length; i++) handles[i].hidden = false;

  var status = document.getElementById("steps-status");
  var STEP_FIELD = /^step-\d+-/;
  var STEP_BUTTON = /^(up|down|remove)-\d+$/;

  function renumber(step, index) {
    var named = step.querySelectorAll("[name], [id], [for]");
    for (var i = 0; i < named.length; i++) {
      var element = named[i];
      ["name", "id", "for"].forEach(function (attribute) {
        var value = element.getAttribute(attribute);
        if (value && STEP_FIELD.test(value)) {
          element.setAttribute(attribute, value.replace(STEP_FIELD, "step-" + index + "-"));
        }
      });
      if (element.tagName === "BUTTON" && STEP_BUTTON.test(element.value)) {
        element.value = element.value.replace(/\d+$/, String(index));
      }
    }
    var number = step.querySelector("[data-step-number]");
    if (number) number.textContent = String(index + 1);
  }

  var reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  Sortable.create(list, {
    draggable: "[data-step]",
    handle: "[data-drag-handle]",
    forceFallback: true,
    animation: reduceMotion ? 0 : 150,
    onEnd: function (event) {
      var steps = list.querySelectorAll("[data-step]");
      for (var i = 0; i < steps.length; i++) renumber(steps[i], i);
      if (status && event.oldIndex !== event.newIndex) {
        var moved = status.getAttribute("data-moved") || "";
        status.textContent = moved.replace("{place}", String(event.newIndex + 1));
      }
    },
  });
})();
