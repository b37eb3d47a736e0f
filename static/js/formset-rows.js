/* "Add another" buttons for the rows of the area edit page.
 *
 * Progressive enhancement: without JavaScript each kind of row offers one empty row
 * per visit, which is enough to add a record. With it, the button copies the
 * formset's empty row (a <template>) as often as needed and tells Django how many
 * rows there now are.
 */
(function () {
  "use strict";

  function renumber(node, index) {
    if (node.nodeType !== Node.ELEMENT_NODE) {
      return;
    }
    Array.prototype.forEach.call(node.attributes, function (attribute) {
      if (attribute.value.indexOf("__prefix__") !== -1) {
        attribute.value = attribute.value.split("__prefix__").join(String(index));
      }
    });
    Array.prototype.forEach.call(node.children, function (child) {
      renumber(child, index);
    });
  }

  document.querySelectorAll("[data-formset]").forEach(function (section) {
    var prefix = section.getAttribute("data-formset");
    var template = section.querySelector("template[data-formset-template]");
    var rows = section.querySelector("[data-formset-rows]");
    var button = section.querySelector("[data-formset-add]");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    if (!template || !rows || !button || !total) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      var fragment = template.content.cloneNode(true);
      Array.prototype.forEach.call(fragment.children, function (child) {
        renumber(child, index);
      });
      var row = fragment.firstElementChild;
      rows.appendChild(fragment);
      total.value = String(index + 1);
      var first = row && row.querySelector("input:not([type=hidden]), select, textarea");
      if (first) {
        first.focus();
      }
    });
  });
})();
