// Scoring form, progressive enhancement only: the weighted total as the reviewer types.
// The server computes the stored total; this is a preview of the same formula
// (sum of score / scale x weight, 0-100).
(function () {
  "use strict";

  function update(form) {
    var scale = parseInt(form.getAttribute("data-scale"), 10);
    var total = 0;
    var complete = true;
    form.querySelectorAll("[data-weight]").forEach(function (group) {
      var input = group.querySelector("input[type=number]");
      var score = parseInt(input && input.value, 10);
      if (isFinite(score) && score >= 1 && score <= scale) {
        total += score / scale * parseFloat(group.getAttribute("data-weight"));
      } else {
        complete = false;
      }
    });
    var output = form.querySelector("[data-review-total]");
    if (output) {
      output.textContent = complete ? total.toFixed(2) : "—";
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-scale]").forEach(function (form) {
      var preview = form.querySelector("[data-review-preview]");
      if (preview) {
        preview.hidden = false;
      }
      form.addEventListener("input", function () { update(form); });
      update(form);
    });
  });
})();
