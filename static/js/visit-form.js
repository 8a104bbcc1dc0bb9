/* The visit form's check before saving (issue 17): the first press of the save button shows every answer on one
   screen, section by section, with the required fields left empty marked; the second press posts the form. Without
   this file the form posts at once; the server checks everything either way. The first press's submit event stops
   here; the second press's is left alone, so other listeners (the offline outbox) see it. All wording comes from the
   template. */
(function () {
  "use strict";

  function text(el) { return el ? el.textContent.replace(/[:：]\s*$/, "").trim() : ""; }

  function answer(row, review) {
    var d = review.dataset;
    var file = row.querySelector("input[type=file]");
    if (file) { return file.files && file.files.length ? d.photos.replace("{n}", file.files.length) : ""; }
    if (row.classList.contains("check")) {
      var box = row.querySelector("input[type=checkbox]");
      return box && box.checked ? d.yes : d.no;
    }
    var chosen = row.querySelectorAll("input[type=radio]:checked, input[type=checkbox]:checked");
    if (row.querySelector("input[type=radio], input[type=checkbox]")) {
      return Array.prototype.map.call(chosen, function (input) { return text(input.closest("label")); }).join("、");
    }
    var select = row.querySelector("select");
    if (select) { return select.value ? text(select.options[select.selectedIndex]) : ""; }
    var field = row.querySelector("input, textarea");
    return field ? field.value.trim() : "";
  }

  function build(form, review) {
    var body = review.querySelector(".review-body");
    body.textContent = "";
    var missing = 0;
    form.querySelectorAll("fieldset.section").forEach(function (section) {
      var heading = document.createElement("h3");
      heading.textContent = text(section.querySelector("legend"));
      var list = document.createElement("dl");
      list.className = "review";
      section.querySelectorAll(".field").forEach(function (row) {
        var label = row.querySelector(":scope > legend, :scope > label");
        var value = answer(row, review);
        var dt = document.createElement("dt");
        var dd = document.createElement("dd");
        dt.textContent = text(label);
        if (!value && label && label.classList.contains("required")) {
          dd.textContent = review.dataset.missing;
          dd.className = "missing";
          missing += 1;
        } else {
          dd.textContent = value || review.dataset.empty;
        }
        list.appendChild(dt);
        list.appendChild(dd);
      });
      body.appendChild(heading);
      body.appendChild(list);
    });
    return missing;
  }

  function start() {
    var form = document.querySelector("form[data-review]");
    if (!form) { return; }
    var review = form.querySelector("#visit-review");
    var save = form.querySelector(".save-bar button[type=submit]");
    var back = form.querySelector(".review-back");
    save.textContent = save.dataset.reviewLabel;

    function leave() {
      form.classList.remove("reviewing");
      review.hidden = true;
      back.hidden = true;
      save.textContent = save.dataset.reviewLabel;
    }

    // Listened for on window in the capture phase, before any listener on the form: the first press is this step's
    // alone (stopped here), the second reaches the others (the offline outbox) or posts.
    window.addEventListener("submit", function (event) {
      if (event.target !== form || form.classList.contains("reviewing")) { return; }
      event.preventDefault();
      event.stopImmediatePropagation();
      build(form, review);
      form.classList.add("reviewing");
      review.hidden = false;
      back.hidden = false;
      save.textContent = save.dataset.saveLabel;
      window.scrollTo(0, 0);
      review.querySelector("h2").focus();
    }, true);
    back.addEventListener("click", function () { leave(); window.scrollTo(0, 0); });
    form.addEventListener("change", function () { if (form.classList.contains("reviewing")) { leave(); } });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
}());
