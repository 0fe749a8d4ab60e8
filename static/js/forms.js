// A form that comes back with errors: focus moves to its error summary, so that it is read out
// and the next Tab reaches the first link, and each link names the field it leads to ("Title:
// This field is required."). A link moves focus to its field (browsers only scroll to it).
// Without JavaScript the summary is still announced (role=alert) and its links still work.
(function () {
  "use strict";

  function labelFor(target) {
    var label = target.matches("fieldset") ? target.querySelector("legend")
      : document.querySelector('label[for="' + CSS.escape(target.id) + '"]');
    return label ? label.textContent.replace(/\s*\*\s*$/, "").trim() : "";
  }

  function focusable(target) {
    return target.matches("fieldset") ? target.querySelector("input, select, textarea") || target
      : target;
  }

  function prepare(root) {
    var summaries = root.matches && root.matches(".form-errors") ? [root]
      : Array.prototype.slice.call(root.querySelectorAll ? root.querySelectorAll(".form-errors") : []);
    summaries.forEach(function (summary) {
      if (summary.dataset.ready) return;
      summary.dataset.ready = "1";
      summary.querySelectorAll('a[href^="#"]').forEach(function (link) {
        var target = document.getElementById(link.getAttribute("href").slice(1));
        if (!target) return;
        var name = labelFor(target);
        if (name) link.insertBefore(document.createTextNode(name + ": "), link.firstChild);
        link.addEventListener("click", function (event) {
          event.preventDefault();
          var field = focusable(target);
          field.focus();
          (document.querySelector('label[for="' + CSS.escape(field.id) + '"]') || field)
            .scrollIntoView({block: "center"});
        });
      });
      summary.focus();
    });
  }

  document.addEventListener("DOMContentLoaded", function () { prepare(document); });
  // htmx swaps a form back in with its errors; htmx:load fires on the new content.
  document.addEventListener("htmx:load", function (event) { prepare(event.target); });
})();
