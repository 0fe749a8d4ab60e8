// Autosave on the scoring page: each field posts itself on change (htmx, hx-trigger="change").
// The server is idempotent per field, so a save that failed (the school network dropped, the
// server did not answer) can simply be sent again: the field says "Not saved" with a Retry
// button, unsaved fields are sent again when the browser comes back online, and leaving the
// page with an unsaved field asks first. Without JavaScript the form's Save button sends all.
(function () {
  "use strict";

  function statusOf(elt) { return elt.querySelector(".save-status"); }

  function show(elt, state, text) {
    var status = statusOf(elt);
    if (!status) return;
    status.classList.remove("saved", "error", "saving");
    if (state) status.classList.add(state);
    status.querySelector(".text").textContent = text;
    status.querySelector(".retry").hidden = state !== "error";
  }

  function autosaved(event) {
    var elt = event.detail && event.detail.elt;
    return elt && elt.matches && elt.matches("[data-autosave]") ? elt : null;
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = autosaved(event);
    if (!elt) return;
    elt.dataset.unsaved = "1";
    elt.dataset.saving = "1";
    show(elt, "saving", statusOf(elt).dataset.saving);
  });

  function failed(event) {
    var elt = autosaved(event);
    if (!elt) return;
    elt.dataset.unsaved = "1";
    show(elt, "error", statusOf(elt).dataset.failed);
  }
  document.addEventListener("htmx:sendError", failed);
  document.addEventListener("htmx:responseError", failed);
  document.addEventListener("htmx:timeout", failed);

  document.addEventListener("htmx:afterRequest", function (event) {
    var elt = autosaved(event);
    if (!elt) return;
    delete elt.dataset.saving;
    // A 2xx saved it; a 4xx is the server's answer (shown in the swapped-in line): nothing to
    // send again. Only a failed connection or a 5xx leaves the field unsaved.
    if (event.detail.xhr && event.detail.xhr.status > 0 && event.detail.xhr.status < 500) {
      delete elt.dataset.unsaved;
    }
    submitHeld();
  });

  // "Finish the review" right after typing the feedback: leaving the text field sent its save,
  // still on its way when the button submits its form, and the page asked "leave with unsaved
  // changes?" (the click did nothing unless the juror chose to leave). The form now waits for
  // the saves on their way; one that failed still makes the page ask.
  var held = null;

  document.addEventListener("submit", function (event) {
    if (event.defaultPrevented || !document.querySelector("[data-autosave][data-saving]")) return;
    event.preventDefault();
    held = { form: event.target, submitter: event.submitter };
  });

  function submitHeld() {
    if (!held || document.querySelector("[data-autosave][data-saving]")) return;
    var form = held.form, submitter = held.submitter;
    held = null;
    form.requestSubmit(submitter && submitter.form === form ? submitter : undefined);
  }

  function retry(elt) { htmx.trigger(elt, "change"); }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".save-status .retry");
    if (button) retry(button.closest("[data-autosave]"));
  });

  window.addEventListener("online", function () {
    document.querySelectorAll("[data-autosave][data-unsaved]").forEach(retry);
  });

  window.addEventListener("beforeunload", function (event) {
    if (document.querySelector("[data-autosave][data-unsaved]")) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
