// Sinergi: send the CSRF token with every HTMX request (no inline scripts: the CSP forbids them).
document.addEventListener("htmx:configRequest", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) { event.detail.headers["X-CSRFToken"] = meta.content; }
});
// Confirm destructive actions declared with data-confirm.
document.addEventListener("submit", function (event) {
  var message = event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) { event.preventDefault(); }
});
// Ring-area picker: a picked district becomes a chip with a hidden input; the chip's button removes it.
document.addEventListener("click", function (event) {
  var pick = event.target.closest("[data-pick-district]");
  if (pick && document.querySelector("[data-district-fill]")) {
    // A form with one domicile district: fill its code field and show the choice.
    var field = document.querySelector('input[name="domicile_district"]');
    if (field) { field.value = pick.getAttribute("data-code"); field.focus(); }
    var results = document.getElementById("district-picker-results");
    if (results) { results.textContent = pick.getAttribute("data-label"); }
    return;
  }
  if (pick) {
    var box = document.querySelector("[data-picked-districts]");
    var code = pick.getAttribute("data-code");
    if (!box || box.querySelector('[data-chip="' + code + '"]')) { return; }
    var chip = document.createElement("span");
    chip.className = "badge text-bg-primary d-inline-flex align-items-center gap-1 p-2";
    chip.setAttribute("data-chip", code);
    chip.appendChild(document.createTextNode(pick.getAttribute("data-label")));
    var input = document.createElement("input");
    input.type = "hidden"; input.name = "focus_districts"; input.value = code;
    chip.appendChild(input);
    var remove = document.createElement("button");
    remove.type = "button"; remove.className = "btn-close btn-close-white btn-sm";
    remove.setAttribute("data-remove-chip", ""); remove.setAttribute("aria-label", "Hapus");
    chip.appendChild(remove);
    box.appendChild(chip);
    return;
  }
  var removeButton = event.target.closest("[data-remove-chip]");
  if (removeButton) { removeButton.closest("[data-chip]").remove(); }
});
// Organisation form: fields that only apply to correctional units are shown only when that kind is chosen.
(function () {
  var kind = document.querySelector('select[name="kind"]');
  var dependants = document.querySelectorAll("[data-show-when-kind]");
  if (!kind || !dependants.length) { return; }
  function sync() {
    dependants.forEach(function (field) {
      var wrapper = field.closest(".mb-3") || field;
      wrapper.hidden = kind.value !== field.getAttribute("data-show-when-kind");
    });
  }
  kind.addEventListener("change", sync);
  sync();
})();
// Tables that turn into cards on a phone (.table-stack, app.css): each cell gets its column's heading as
// data-label, which the CSS shows before the value ("Status: Selesai"), since the heading row is hidden.
function sinergiLabelStackedTables(root) {
  (root || document).querySelectorAll("table.table-stack").forEach(function (table) {
    var heads = [];
    table.querySelectorAll("thead tr:last-child th, thead tr:last-child td").forEach(function (th) {
      var span = parseInt(th.getAttribute("colspan") || "1", 10);
      for (var i = 0; i < span; i++) { heads.push(th.textContent.trim()); }
    });
    table.querySelectorAll("tbody tr, tfoot tr").forEach(function (row) {
      var column = 0;
      Array.prototype.forEach.call(row.cells, function (cell) {
        var label = heads[column];
        var span = parseInt(cell.getAttribute("colspan") || "1", 10);
        // A cell across several columns ("too few to report") stands for all of them: no one heading.
        if (label && span === 1 && !cell.hasAttribute("data-label")) { cell.setAttribute("data-label", label); }
        column += span;
      });
    });
  });
}
document.addEventListener("DOMContentLoaded", function () { sinergiLabelStackedTables(document); });
document.addEventListener("htmx:afterSwap", function (event) { sinergiLabelStackedTables(event.target); });

// A form that makes a file which takes a while (data-preparing): say so while it is made, and keep the
// buttons from sending it twice (each export is audited). The download starts by itself when ready.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.hasAttribute || !form.hasAttribute("data-preparing")) { return; }
  var note = form.querySelector("[data-preparing-note]");
  if (note) { note.hidden = false; }
  var buttons = form.querySelectorAll("button[type=submit]");
  window.setTimeout(function () {
    buttons.forEach(function (b) { b.disabled = true; });
  }, 0);
  window.setTimeout(function () {
    buttons.forEach(function (b) { b.disabled = false; });
    if (note) { note.hidden = true; }
  }, 20000);
});
