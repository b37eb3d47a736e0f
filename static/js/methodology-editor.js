/* Methodology editor: paints matrix cells and swatches in their rating's colour
   as the admin edits them. The page works fully without this script; it only
   saves a round trip to see the colours. */
(function () {
  "use strict";

  var COLOUR = /^#[0-9a-fA-F]{6}$/;

  function channel(value) {
    value /= 255;
    return value <= 0.03928 ? value / 12.92 : Math.pow((value + 0.055) / 1.055, 2.4);
  }

  function luminance(hex) {
    var r = parseInt(hex.substr(1, 2), 16);
    var g = parseInt(hex.substr(3, 2), 16);
    var b = parseInt(hex.substr(5, 2), 16);
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  }

  /* Black or white, whichever contrasts more: the same rule as the server's. */
  function textColour(hex) {
    var l = luminance(hex);
    return (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) ? "#000000" : "#ffffff";
  }

  function paint(element, colour) {
    if (colour && COLOUR.test(colour)) {
      element.style.backgroundColor = colour;
      element.style.color = textColour(colour);
    } else {
      element.style.backgroundColor = "";
      element.style.color = "";
    }
  }

  function ratingColour(row) {
    var input = document.querySelector('input[data-colour="' + row + '"]');
    return input ? input.value.trim() : "";
  }

  function ratingName(row) {
    var input = document.querySelector('input[name="rating-' + row + '-name"]');
    var name = input ? input.value.trim() : "";
    return name || "Rating level " + row;
  }

  function paintCell(select) {
    paint(select.closest("td"), select.value ? ratingColour(select.value) : "");
  }

  function paintAll() {
    document.querySelectorAll("[data-matrix-editor] select").forEach(paintCell);
    document.querySelectorAll("[data-swatch]").forEach(function (swatch) {
      var row = swatch.getAttribute("data-swatch");
      paint(swatch, ratingColour(row));
      swatch.textContent = ratingName(row);
    });
  }

  function renameOptions() {
    document.querySelectorAll("[data-matrix-editor] select").forEach(function (select) {
      Array.prototype.forEach.call(select.options, function (option) {
        if (option.value) {
          option.textContent = ratingName(option.value);
        }
      });
    });
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-matrix-editor] select")) {
      paintCell(event.target);
    }
  });
  document.addEventListener("input", function (event) {
    if (event.target.matches("input[data-colour]")) {
      paintAll();
    } else if (event.target.matches('input[name^="rating-"][name$="-name"]')) {
      renameOptions();
      paintAll();
    }
  });
})();
